"""TOTP second factor (RFC 6238, 30-second steps, 6 digits): secrets, codes and the QR code.

No Flask and no database here: the services keep the secret and the last step used.
"""

from __future__ import annotations

import hmac
import html
import re
import time

import pyotp
import qrcode
import qrcode.image.svg

ISSUER = "caseman"
STEP_SECONDS = 30
DIGITS = 6
# A code of the previous or the next step is still accepted: phone clocks drift and people type
# slowly. Together with the replay rule this keeps every code usable exactly once.
DRIFT_STEPS = 1
# RFC 4226 §4 R6: the shared secret is at least 128 bits, i.e. 26 base32 characters.
MIN_SECRET_CHARS = 26
_BASE32 = re.compile(r"[A-Z2-7]+")


def new_secret() -> str:
    """A fresh random secret: 32 base32 characters (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32()


def normalise_secret(text: str) -> str | None:
    """The secret in canonical form (upper case, no spaces or padding), or None when invalid."""
    secret = re.sub(r"[\s-]", "", text).upper().rstrip("=")
    if len(secret) < MIN_SECRET_CHARS or len(secret) > 64 or not _BASE32.fullmatch(secret):
        return None
    return secret


def current_step(now: float | None = None) -> int:
    """The RFC 6238 time step (T) of ``now`` (seconds since the epoch; default: the clock)."""
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    """The code of one time step (used by tests, the demo and scripts)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(step * STEP_SECONDS)


def matching_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step whose code is ``code``, or None.

    Steps at or before ``last_step`` never match: a code seen once (even an older one of the
    drift window) is refused afterwards, so an eavesdropped code cannot be replayed.
    """
    code = re.sub(r"\s", "", code or "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = current_step(now)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI that authenticator apps read from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def qr_svg(uri: str, label: str, size_px: int = 220) -> str:
    """The QR code of ``uri`` as an inline <svg> element (no script, no style attribute, so the
    page's Content-Security-Policy needs no exception); ``label`` is its accessible name."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
    return svg.replace(
        "<svg ",
        f'<svg width="{size_px}" height="{size_px}" role="img" class="totp-qr" '
        f'aria-label="{html.escape(label, quote=True)}" ',
        1,
    ).replace('id="qr-path" ', "", 1)
