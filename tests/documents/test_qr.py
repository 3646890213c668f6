"""The QR code of a document number (caseman.documents.qr): the mask chosen as qrcode chooses it,
only faster, and the PNG's pixels those of qrcode's own image."""

from __future__ import annotations

import io
import random

import qrcode
import qrcode.constants
from PIL import Image, ImageChops
from qrcode.image.pil import PilImage

from caseman.documents import qr


def _texts() -> list[str]:
    """Document numbers as the site makes them, and texts long enough for versions 1 to 10."""
    rng = random.Random(18004)
    numbers = [f"{town}-{year}-F{annex}-{n:06d}" for town, year, annex, n in (
        (rng.choice(["JG", "YB", "LX"]), rng.randint(2024, 2030), rng.randint(1, 3),
         rng.randint(0, 999_999)) for _ in range(300))]  # fmt: skip
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-渝北区"
    longer = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(200)]
    digits = [str(rng.randint(0, 10**40)) for _ in range(20)]  # numeric mode
    return numbers + longer + digits


def _qrcode_own(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code


def test_the_mask_is_the_one_qrcode_chooses() -> None:
    versions = set()
    for text in _texts():
        own = _qrcode_own(text)
        fast = qr._qr(text, 8)
        versions.add(own.version)
        assert fast.version == own.version, text
        assert fast.modules == own.modules, text  # the symbol, its mask and format bits
        assert qr.best_mask(fast) == own.best_mask_pattern(), text
    assert {1, 2, 5, 7, 10} <= versions  # small and large symbols, with and without version bits


def test_the_codewords_are_qrcodes() -> None:
    """Data, padding and Reed-Solomon error correction, interleaved, as qrcode.util makes them."""
    for text in _texts():
        own = _qrcode_own(text)
        fast = qr._qr(text, 8)
        assert fast.data_cache == qrcode.util.create_data(
            own.version, own.error_correction, own.data_list
        ), text


def test_the_penalty_is_qrcodes_on_every_mask() -> None:
    """ISO/IEC 18004 7.8.3's four rules as qrcode.util.lost_point scores them."""
    for text in _texts()[::25]:
        code = _qrcode_own(text)
        for pattern in range(8):
            code.makeImpl(True, pattern)
            rows = [sum(1 << c for c, dark in enumerate(row) if dark) for row in code.modules]
            assert qr.lost_point(rows, code.modules_count) == qrcode.util.lost_point(code.modules)


def test_the_png_has_the_pixels_of_qrcodes_image() -> None:
    for text in _texts()[:40:7] + ["JG-2026-F2-000001"]:
        ours = Image.open(io.BytesIO(qr.qr_png.__wrapped__(text, 8)))
        image = _qrcode_own(text).make_image(image_factory=PilImage)
        theirs_file = io.BytesIO()
        image.save(theirs_file)
        theirs = Image.open(io.BytesIO(theirs_file.getvalue()))
        assert ours.mode == theirs.mode == "1"
        assert ours.size == theirs.size
        assert ImageChops.difference(ours.convert("L"), theirs.convert("L")).getbbox() is None


def test_the_pdfs_rgb_png_has_the_same_pixels() -> None:
    """The PDF's QR image is RGB (WeasyPrint embeds it as it is, not converted and encoded
    again), written by hand from the modules, with the pixels of the one-bit image."""
    for text in _texts()[:40:7]:
        rgb = Image.open(io.BytesIO(qr.qr_png(text, 1, "RGB")))
        by_hand = Image.open(io.BytesIO(qr.rgb_png(*qr.rgb_scanlines(text))))
        one = Image.open(io.BytesIO(qr.qr_png(text, 1)))
        for image in (rgb, by_hand):
            assert (image.mode, image.format) == ("RGB", "PNG")
            assert ImageChops.difference(image, one.convert("RGB")).getbbox() is None


def test_the_pdfs_scanlines_are_qrcodes_symbol() -> None:
    """rgb_scanlines builds the symbol without qrcode's matrix (qr.symbol: codewords looked up a
    byte at a time, the function patterns laid over them): every text gives qrcode's own
    modules, quiet zone included, a pixel a module."""
    dark, light = b"\x00\x00\x00", b"\xff\xff\xff"
    for text in _texts():
        matrix = _qrcode_own(text).get_matrix()
        expected = b"".join(b"\x00" + b"".join(dark if m else light for m in row) for row in matrix)
        assert qr.rgb_scanlines(text) == (len(matrix), expected), text
