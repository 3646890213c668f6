"""QR codes of document numbers, as PNG images for both the PDF and the Word file.

A printed form carries its document number as text and as a QR code, so that the signed copy,
scanned, can be attached back to its case. The code is small (~18 mm) and only holds the number,
so error correction M and the standard 4-module quiet zone are plenty. ``qr_png`` caches its
last few hundred answers: the copies of a form, and reprints, share one number.

PNG output prefers Pillow (a WeasyPrint dependency, so normally present), then qrcode's PyPNG
image (if ``pypng`` is installed), and otherwise writes a 1-bit greyscale PNG with ``zlib`` and
``struct`` from the QR matrix, so it never needs anything beyond ``qrcode`` itself.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zlib

import qrcode
import qrcode.constants

BORDER = 4  # modules of quiet zone (the standard minimum)


def _qr(text: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=BORDER
    )
    code.add_data(text)
    code.best_fit(start=code.version)
    code.makeImpl(False, best_mask(code))  # what code.make(fit=True) does, its mask found faster
    return code


@functools.lru_cache(maxsize=256)
def qr_png(text: str, box_size: int = 8) -> bytes:
    """A black-on-white PNG, ``box_size`` pixels per module."""
    code = _qr(text, box_size)
    try:
        from PIL import Image
    except ImportError:
        try:
            from qrcode.image.pure import PyPNGImage

            image = code.make_image(image_factory=PyPNGImage)
        except ImportError:
            return png_from_matrix(code.get_matrix(), box_size)
        out = io.BytesIO()
        image.save(out)
        return out.getvalue()
    # The pixels of qrcode's PilImage (mode "1", a module a box_size square, the quiet zone
    # white), made by scaling a pixel a module rather than drawing each module's square.
    matrix = code.get_matrix()
    side = len(matrix)
    rows = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (side, side), rows).convert("1", dither=Image.Dither.NONE)
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- the mask, chosen as qrcode chooses it, in integers ------------------------------------------
#
# qrcode's make() lays out the symbol eight times, once per mask pattern, and scores each with
# util.lost_point in pure Python (~2 ms a code; a form prints three or four codes). The choice is
# the same here: the data is laid out once (mask 0), each other mask is that layout with the
# data modules' bits flipped where the two masks differ, and each layout is scored by the same
# four rules as util.lost_point (ISO/IEC 18004 7.8.3), rows and columns held as integers and
# strings. tests/documents/test_qr.py checks the choice against qrcode's on many numbers.

_RUNS = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


@functools.lru_cache(maxsize=8)
def _mask_flips(version: int) -> tuple[tuple[int, ...], ...]:
    """For each mask pattern, the bits (a row an integer, column c at bit c) where its mask
    differs from mask 0 among the data modules of a symbol of ``version``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, version=version)
    code.add_data("0")
    code.makeImpl(True, 0)  # makes qrcode's blank of this version (the function patterns)
    modules = _blank(code, version)
    size = code.modules_count
    data = [[modules[r][c] is None for c in range(size)] for r in range(size)]
    first = qrcode.util.mask_func(0)
    flips = []
    for pattern in range(8):
        mask = qrcode.util.mask_func(pattern)
        rows = []
        for r in range(size):
            bits = 0
            for c in range(size):
                if data[r][c] and bool(mask(r, c)) != bool(first(r, c)):
                    bits |= 1 << c
            rows.append(bits)
        flips.append(tuple(rows))
    return tuple(flips)


def _blank(code: qrcode.QRCode, version: int) -> list[list[bool | None]]:
    """The modules of ``version`` with only its function patterns and (test) format and version
    information set: None where data goes."""
    from qrcode.main import copy_2d_array, precomputed_qr_blanks

    code.modules = copy_2d_array(precomputed_qr_blanks[version])
    code.setup_type_info(True, 0)
    if version >= 7:
        code.setup_type_number(True)
    return code.modules


def lost_point(rows: list[int], size: int) -> int:
    """util.lost_point of a symbol whose rows are integers (column c at bit c)."""
    full = (1 << size) - 1
    texts = [format(row, f"0{size}b")[::-1] for row in rows]
    # Every row and column in one string, "2" between them: no run or pattern spans two.
    lines = "2".join(texts + ["".join(column) for column in zip(*texts, strict=True)])
    runs = _RUNS.findall(lines)
    points = sum(map(len, runs)) - 2 * len(runs)  # rule 1: runs of 5 or more, each N1 + (run - 5)
    points += 40 * len(_FINDER_LIKE.findall(lines))  # rule 3: 1:1:3:1:1 beside 4 light
    pair = full >> 1  # rule 2: 2x2 blocks of one colour (columns c and c + 1)
    for top, bottom in zip(rows, rows[1:], strict=False):
        same = ~(top ^ bottom) & full
        across = ~(top ^ (top >> 1)) & pair
        points += 3 * (same & (same >> 1) & across).bit_count()
    dark = sum(row.bit_count() for row in rows)  # rule 4: the share of dark modules
    return points + int(abs(dark / size**2 * 100 - 50) / 5) * 10


def best_mask(code: qrcode.QRCode) -> int:
    """The mask pattern qrcode's best_mask_pattern() chooses for ``code`` (fitted)."""
    code.makeImpl(True, 0)
    size = code.modules_count
    base = [sum(1 << c for c, dark in enumerate(row) if dark) for row in code.modules]
    best, least = 0, -1
    for pattern, flips in enumerate(_mask_flips(code.version)):
        points = lost_point([row ^ flip for row, flip in zip(base, flips, strict=True)], size)
        if least < 0 or points < least:
            best, least = pattern, points
    return best


def png_from_matrix(matrix: list[list[bool]], box_size: int) -> bytes:
    """A 1-bit greyscale PNG of a module matrix (True = dark), written by hand."""
    rows = []
    for module_row in matrix:
        bits = "".join(("0" if dark else "1") * box_size for dark in module_row)
        bits += "0" * (-len(bits) % 8)  # pad each scanline to whole bytes
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter type 0
        rows.extend([line] * box_size)
    size = len(matrix) * box_size

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
