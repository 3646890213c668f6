"""QR codes of document numbers: inline SVG for the PDF, PNG for the Word file.

A printed form carries its document number as text and as a QR code, so that the signed copy,
scanned, can be attached back to its case. The code is small (~18 mm) and only holds the number,
so error correction M and the standard 4-module quiet zone are plenty. Both functions cache their
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
from xml.etree import ElementTree as ET  # noqa: S405 - we build XML, we never parse any # nosec B405

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathImage

BORDER = 4  # modules of quiet zone (the standard minimum)


def _qr(text: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=BORDER
    )
    code.add_data(text)
    code.make(fit=True)
    return code


@functools.lru_cache(maxsize=256)
def qr_svg(text: str, *, css_class: str = "qr-code") -> str:
    """An inline ``<svg>`` element (one path, no XML declaration, no external files).

    The element has a ``viewBox`` but no width or height: size it with CSS.
    """
    image = _qr(text).make_image(image_factory=SvgPathImage)
    svg = image.get_image()
    for attribute in ("width", "height"):
        svg.attrib.pop(attribute, None)
    svg.set("class", css_class)
    svg.set("role", "img")
    svg.set("aria-label", text)
    if image.path is not None:
        # qrcode names the path id="qr-path": several codes on one page would repeat the id.
        image.path.attrib.pop("id", None)
    return ET.tostring(svg, encoding="unicode")


@functools.lru_cache(maxsize=256)
def qr_png(text: str, box_size: int = 8) -> bytes:
    """A black-on-white PNG, ``box_size`` pixels per module."""
    code = _qr(text, box_size)
    try:
        from qrcode.image.pil import PilImage

        image = code.make_image(image_factory=PilImage)
    except ImportError:
        try:
            from qrcode.image.pure import PyPNGImage

            image = code.make_image(image_factory=PyPNGImage)
        except ImportError:
            return png_from_matrix(code.get_matrix(), box_size)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


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
