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
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.base
import qrcode.constants
import qrcode.exceptions
import qrcode.util

BORDER = 4  # modules of quiet zone (the standard minimum)


def _qr(text: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=BORDER
    )
    code.add_data(text)
    _fit(code)
    code.data_cache = create_data(code.version, code.error_correction, code.data_list)
    data = _data_rows(code, _version(code.version))
    _make(code, best_mask(code, data), data)  # code.make(fit=True), its mask found faster
    return code


@functools.lru_cache(maxsize=256)
def qr_png(text: str, box_size: int = 8, mode: str = "1") -> bytes:
    """A black-on-white PNG, ``box_size`` pixels per module, of Pillow's ``mode`` "1" (as qrcode's
    own image) or "RGB" (what WeasyPrint turns any other image into before it embeds it: an RGB
    PNG is taken as it is, not converted and encoded again)."""
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
    image = Image.frombytes("L", (side, side), rows).convert(mode, dither=Image.Dither.NONE)
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- the data codewords, as qrcode.util.create_data makes them, in integers -----------------------
#
# qrcode writes the data a bit at a time into a list and divides by the generator polynomial
# with Polynomial objects (~0.3 ms a code). Here the bits are one integer and the Reed-Solomon
# remainder is the usual table-driven division over GF(256) (polynomial 0x11d, as qrcode's
# tables). tests/documents/test_qr.py compares the codewords with qrcode's on many texts.


class _Bits:
    """The bits written so far, as one integer (``put`` is all QRData.write uses)."""

    __slots__ = ("length", "value")

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, number: int, length: int) -> None:
        self.value = (self.value << length) | (number & ((1 << length) - 1))
        self.length += length


@functools.lru_cache(maxsize=32)
def _generator(count: int) -> tuple[int, ...]:
    """The logs of the generator polynomial's coefficients (highest first, its leading 1 left
    out): the product of (x - a^i) for i below ``count``."""
    exp, log = qrcode.base.EXP_TABLE, qrcode.base.LOG_TABLE
    poly = [1]
    for i in range(count):
        factor = exp[i]
        poly = [a ^ (exp[(log[b] + log[factor]) % 255] if b else 0)
                for a, b in zip([*poly, 0], [0, *poly], strict=True)]  # fmt: skip
    return tuple(log[c] for c in poly[1:])


@functools.lru_cache(maxsize=32)
def _products(count: int) -> tuple[int, ...]:
    """For each byte, the generator polynomial (``count`` coefficients after its leading 1)
    times that byte over GF(256), its coefficients as the bytes of one integer."""
    exp, log = qrcode.base.EXP_TABLE, qrcode.base.LOG_TABLE
    generator = _generator(count)
    out = [0]
    for factor in range(1, 256):
        value = 0
        for g in generator:
            value = (value << 8) | exp[(log[factor] + g) % 255]
        out.append(value)
    return tuple(out)


def _remainder(data: bytes, count: int) -> list[int]:
    """The ``count`` error correction codewords of ``data`` (Reed-Solomon): the long division
    a byte at a time, the remainder held as one integer of ``count`` bytes."""
    products = _products(count)
    top, kept = 8 * (count - 1), (1 << 8 * count) - 1
    rest = 0
    for byte in data:
        rest = ((rest << 8) & kept) ^ products[byte ^ (rest >> top)]
    return list(rest.to_bytes(count, "big"))


def _fit(code: qrcode.QRCode, start: int = 1) -> None:
    """QRCode.best_fit: the smallest version that holds the data (the bits counted as
    ``_Bits``, not a bit at a time)."""
    from bisect import bisect_left

    bits = _written(code.data_list, start)
    code.version = bisect_left(
        qrcode.util.BIT_LIMIT_TABLE[code.error_correction], bits.length, start
    )
    if code.version == 41:
        raise qrcode.exceptions.DataOverflowError()
    sizes = qrcode.util.mode_sizes_for_version
    if sizes(start) is not sizes(code.version):
        _fit(code, code.version)  # the length field is longer at this version: count again


def _written(data_list: list[Any], version: int) -> _Bits:
    """The data's segments as a symbol of ``version`` holds them: mode, length, data."""
    bits = _Bits()
    for data in data_list:
        bits.put(data.mode, 4)
        bits.put(len(data), qrcode.util.length_in_bits(data.mode, version))
        data.write(bits)
    return bits


def create_data(version: int, error_correction: int, data_list: list[Any]) -> list[int]:
    """qrcode.util.create_data's codewords: the data's segments, terminator and padding, cut
    into the version's blocks, each block's error correction, all interleaved."""
    bits = _written(data_list, version)
    blocks = qrcode.base.rs_blocks(version, error_correction)
    limit = sum(block.data_count * 8 for block in blocks)
    if bits.length > limit:
        raise qrcode.exceptions.DataOverflowError(
            f"Code length overflow. Data size ({bits.length}) > size available ({limit})"
        )
    bits.put(0, min(limit - bits.length, 4))  # the terminator
    bits.put(0, -bits.length % 8)
    for i in range((limit - bits.length) // 8):
        bits.put(qrcode.util.PAD0 if i % 2 == 0 else qrcode.util.PAD1, 8)
    codewords = bits.value.to_bytes(limit // 8, "big")
    data_blocks, error_blocks = [], []
    offset = 0
    for block in blocks:
        part = codewords[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(part)
        error_blocks.append(_remainder(part, block.total_count - block.data_count))
    out = []
    for parts in (data_blocks, error_blocks):
        for i in range(max(map(len, parts))):
            out.extend(part[i] for part in parts if i < len(part))
    return out


# --- the mask, chosen as qrcode chooses it, in integers ------------------------------------------
#
# qrcode's make() lays out the symbol eight times, once per mask pattern, and scores each with
# util.lost_point in pure Python (~2 ms a code; a form prints three or four codes). The choice is
# the same here: the data's bits are placed once, in map_data's order (kept per version), and
# each mask is the version's function patterns, the data and the mask's own pattern XORed
# together, scored by the same four rules as util.lost_point (ISO/IEC 18004 7.8.3). A symbol is
# held as one integer, module (r, c) at bit r * size + c: a rule along the rows compares each
# bit with the bit 1 further, along the columns with the bit ``size`` further, for the whole
# symbol at once, and only where its window fits in a row or a column (_windows). The chosen
# mask's modules are then set as makeImpl sets them, format information included.
# tests/documents/test_qr.py checks the codewords, the score on every mask, the choice
# and the whole symbol against qrcode's on many texts. (0.34 ms a code, from ~2.2 with qrcode;
# the PDF's image, from ``symbol``, 0.18 ms with its pixels.)


@functools.lru_cache(maxsize=8)
def _windows(size: int) -> tuple[int, dict[int, tuple[int, int]]]:
    """A symbol of ``size`` held as one integer: all its bits, and for a window of k modules
    the bits where one may start along a row (column <= size - k) and down a column (row <=
    size - k)."""
    full = (1 << size * size) - 1
    windows = {}
    for k in (2, 5, 11):
        along = sum(((1 << (size - k + 1)) - 1) << (r * size) for r in range(size))
        windows[k] = (along, (1 << (size - k + 1) * size) - 1)
    return full, windows


def _bits(rows: tuple[int, ...] | list[int], size: int) -> int:
    """Rows (column c at bit c) as one integer, module (r, c) at bit r * size + c."""
    return sum(row << (r * size) for r, row in enumerate(rows))


def _penalty(dark: int, size: int) -> int:
    """util.lost_point of a symbol held as one integer (``_bits``)."""
    full, windows = _windows(size)
    light = ~dark & full
    d, n = dark, light
    points = 0
    for which, s in enumerate((1, size)):  # along the rows, down the columns
        # rule 1: each run of five or more modules of one colour scores its length less 2
        # (N1 = 3 for five, one more for each one beyond): its windows of five score 1 each,
        # and 2 more once a run
        same = ~(d ^ (d >> s)) & full
        fives = same & (same >> s) & (same >> 2 * s) & (same >> 3 * s) & windows[5][which]
        points += fives.bit_count() + 2 * (fives & ~(fives << s)).bit_count()
        # rule 3: 40 for each 1:1:3:1:1 pattern (dark, light, three dark, light, dark) with
        # four light modules after it or before it, in a window of eleven
        core = (
            d & (n >> s) & (d >> 2 * s) & (d >> 3 * s) & (d >> 4 * s) & (n >> 5 * s) & (d >> 6 * s)
        )
        four = n & (n >> s) & (n >> 2 * s) & (n >> 3 * s)
        eleven = windows[11][which]
        points += 40 * ((core & (four >> 7 * s) & eleven).bit_count()
                        + (four & (core >> 4 * s) & eleven).bit_count())  # fmt: skip
    # rule 2: 3 for each 2x2 block of one colour
    down = ~(d ^ (d >> size)) & windows[2][1]
    right = ~(d ^ (d >> 1)) & windows[2][0]
    points += 3 * (down & (down >> 1) & right).bit_count()
    # rule 4: the share of dark modules
    return points + int(abs(d.bit_count() / size**2 * 100 - 50) / 5) * 10


@dataclass(frozen=True)
class _Version:
    """What every symbol of a version shares: where its data modules go, in qrcode's order
    (QRCode.map_data), its function patterns as qrcode's masks are scored (format and version
    information light), and each mask pattern over the data modules, as rows and as columns."""

    size: int
    places: tuple[tuple[int, int], ...]
    scored: int  # _bits
    masks: tuple[tuple[tuple[int, ...], int], ...]  # rows, _bits


@functools.lru_cache(maxsize=8)
def _version(version: int) -> _Version:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, version=version)
    code.add_data("0")
    code.makeImpl(True, 0)  # makes qrcode's blank of this version (the function patterns)
    modules = _blank(code, version, True, 0)
    size = code.modules_count
    places = []
    row, step = size - 1, -1
    for col in range(size - 1, 0, -2):  # map_data's walk: two columns at a time, up and down
        if col <= 6:
            col -= 1  # the vertical timing pattern
        while True:
            places.extend((row, c) for c in (col, col - 1) if modules[row][c] is None)
            row += step
            if row < 0 or row >= size:
                row -= step
                step = -step
                break
    scored = _rows(modules)
    masks = []
    for pattern in range(8):
        mask = qrcode.util.mask_func(pattern)
        rows = [0] * size
        for r, c in places:
            if mask(r, c):
                rows[r] |= 1 << c
        masks.append((tuple(rows), _bits(rows, size)))
    return _Version(size, tuple(places), _bits(scored, size), tuple(masks))


def _rows(modules: list[list[bool | None]]) -> list[int]:
    return [sum(1 << c for c, dark in enumerate(row) if dark) for row in modules]


def _blank(code: qrcode.QRCode, version: int, test: bool, mask: int) -> list[list[bool | None]]:
    """The modules of ``version`` with only its function patterns and its format and version
    information (light when ``test``, as qrcode scores masks): None where data goes."""
    from qrcode.main import copy_2d_array, precomputed_qr_blanks

    code.modules = copy_2d_array(precomputed_qr_blanks[version])
    code.setup_type_info(test, mask)
    if version >= 7:
        code.setup_type_number(test)
    return code.modules


def _data_rows(code: qrcode.QRCode, shape: _Version) -> tuple[int, ...]:
    """The codewords' bits placed as map_data places them, unmasked (a module a bit)."""
    if code.data_cache is None:
        code.data_cache = create_data(code.version, code.error_correction, code.data_list)
    data = code.data_cache
    bits = int.from_bytes(bytes(data), "big")
    total = 8 * len(data)
    rows = [0] * shape.size
    for k, (r, c) in enumerate(shape.places[:total]):  # the remainder bits are light
        if (bits >> (total - 1 - k)) & 1:
            rows[r] |= 1 << c
    return tuple(rows)


def lost_point(rows: list[int], size: int) -> int:
    """util.lost_point of a symbol whose rows are integers (column c at bit c)."""
    return _penalty(_bits(rows, size), size)


def best_mask(code: qrcode.QRCode, data: tuple[int, ...] | None = None) -> int:
    """The mask pattern qrcode's best_mask_pattern() chooses for ``code`` (fitted): the first
    of the lowest penalty, each mask scored with light format and version information."""
    shape = _version(code.version)
    if data is None:
        data = _data_rows(code, shape)
    return _best(shape, _bits(data, shape.size))


def _best(shape: _Version, data: int) -> int:
    """The first mask of the lowest penalty, for the data modules ``data`` (``_bits``)."""
    unmasked = shape.scored ^ data
    best, least = 0, -1
    for pattern, (_mask_rows, mask) in enumerate(shape.masks):
        points = _penalty(unmasked ^ mask, shape.size)
        if least < 0 or points < least:
            best, least = pattern, points
    return best


@functools.lru_cache(maxsize=8)
def _spots(version: int) -> tuple[tuple[int, ...], ...]:
    """Per codeword of ``version``, for each of its 256 values the data modules it makes dark
    (``_bits``; its most significant bit first, in map_data's order)."""
    shape = _version(version)
    out = []
    for start in range(0, len(shape.places) - 7, 8):
        spots = [1 << (r * shape.size + c) for r, c in shape.places[start : start + 8]]
        table = [0] * 256
        for value in range(1, 256):
            low = value & -value
            table[value] = table[value ^ low] | spots[8 - low.bit_length()]
        out.append(tuple(table))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _function_modules(version: int, pattern: int) -> int:
    """The dark modules of ``version``'s function patterns, with the format (and version)
    information of mask ``pattern``, as makeImpl(False, pattern) sets them (``_bits``)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, version=version)
    return _bits(_rows(_blank(code, version, False, pattern)), _version(version).size)


def symbol(text: str) -> tuple[int, int]:
    """The QR code of ``text`` (error correction M) as ``_qr`` makes it, its side and its dark
    modules as one integer (``_bits``), without qrcode's matrix of modules: the codewords'
    modules looked up a byte at a time (``_spots``), the mask chosen (``_best``), and the
    function patterns with that mask's format information laid over them."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    _fit(code)
    shape = _version(code.version)
    data = 0
    for table, byte in zip(
        _spots(code.version),
        create_data(code.version, code.error_correction, code.data_list),
        strict=False,  # the remainder bits after the last codeword are light
    ):
        data |= table[byte]
    pattern = _best(shape, data)
    return shape.size, _function_modules(code.version, pattern) | (data ^ shape.masks[pattern][1])


def _make(code: qrcode.QRCode, pattern: int, data: tuple[int, ...]) -> None:
    """``code.modules`` as makeImpl(False, pattern) lays them out: the function patterns with
    their format and version information, the data modules masked."""
    shape = _version(code.version)
    modules = _blank(code, code.version, False, pattern)
    mask = shape.masks[pattern][0]
    for r, c in shape.places:
        modules[r][c] = bool(((data[r] ^ mask[r]) >> c) & 1)
    code.modules_count = shape.size
    code.mask_pattern = pattern


def png_from_matrix(matrix: list[list[bool]], box_size: int) -> bytes:
    """A 1-bit greyscale PNG of a module matrix (True = dark), written by hand."""
    rows = []
    for module_row in matrix:
        bits = "".join(("0" if dark else "1") * box_size for dark in module_row)
        bits += "0" * (-len(bits) % 8)  # pad each scanline to whole bytes
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter type 0
        rows.extend([line] * box_size)
    size = len(matrix) * box_size
    return _png(size, 1, 0, b"".join(rows), 9)  # 1 bit, greyscale


def _png(side: int, depth: int, colour: int, scanlines: bytes, level: int) -> bytes:
    """A square PNG of ``scanlines`` (each with its filter byte), of bit ``depth`` and colour
    type ``colour``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(scanlines, level))
        + chunk(b"IEND", b"")
    )


# The RGB pixels of each byte of a row of modules (its low bit the leftmost module): dark black,
# light white.
_RGB_BYTES = tuple(
    b"".join(b"\x00\x00\x00" if value >> i & 1 else b"\xff\xff\xff" for i in range(8))
    for value in range(256)
)


def rgb_scanlines(text: str) -> tuple[int, bytes]:
    """A QR code of ``text`` as an RGB image a pixel a module (black on white, the quiet zone
    white): its side and its PNG scanlines (each a filter byte 0, then 3 bytes a pixel)."""
    size, dark = symbol(text)
    side = size + 2 * BORDER
    width, count, row_bits = 3 * side, (side + 7) // 8, (1 << size) - 1
    quiet = b"\x00" + b"\xff" * width
    lines = [quiet] * BORDER
    for r in range(size):
        row = ((dark >> r * size) & row_bits) << BORDER
        pixels = b"".join(map(_RGB_BYTES.__getitem__, row.to_bytes(count, "little")))
        lines.append(b"\x00" + pixels[:width])
    lines.extend([quiet] * BORDER)
    return side, b"".join(lines)


def rgb_png(side: int, scanlines: bytes) -> bytes:
    """An 8-bit RGB PNG of ``rgb_scanlines``, written by hand (no Pillow: a stamped form's QR
    codes are made ~4 a form)."""
    return _png(side, 8, 2, scanlines, 6)  # 8 bits, truecolour
