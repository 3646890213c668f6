"""Pure rules of the login: the password policy and TOTP codes (RFC 6238), no database."""

from __future__ import annotations

import re

import pytest

from caseman.auth import totp
from caseman.auth.passwords import common_passwords, password_problem

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_790_000_000.0  # a fixed clock: no sleeping, no dependence on the real time


# --- password policy (ASVS 5.0 §6.2: length, common passwords, the account name) ---------------


@pytest.mark.parametrize(
    "password",
    ["12345678", "password", "woaini1314", "a1234567", "qwertyuiop", "PASSWORD", "88888888",
     "1qaz2wsx", "woaini520"],
)  # fmt: skip
def test_common_passwords_are_refused(password):
    assert password_problem(password) == "This password is too common: choose another."


def test_the_list_is_committed_and_only_holds_long_entries():
    words = common_passwords()
    assert len(words) > 500
    assert {"woaini1314", "password", "12345678", "a1234567", "qwerty123"} <= words
    assert all(len(word) >= 8 for word in words)  # shorter ones fail the length rule anyway


def test_short_passwords_are_refused_and_long_ones_kept_to_128():
    assert password_problem("abc-123") == "The password needs at least 8 characters."
    assert password_problem("x" * 7 + "y" * 122) == "The password can have at most 128 characters."


def test_one_or_two_repeated_characters_are_common():
    assert password_problem("aaaaaaaaaaaa") is not None
    assert password_problem("abababababab") is not None


def test_the_username_as_password_is_refused():
    message = "The password must not be the username, even with digits or signs added."
    assert password_problem("wangfang", "wangfang") == message
    assert password_problem("wangfang2024", "wangfang") == message
    assert password_problem("WangFang-2024!", "wangfang") == message
    assert password_problem("12345678zz", "zz1234") is not None
    assert password_problem("river-stone-42", "wangfang") is None
    # A longer password that merely contains a short username is not refused for it.
    assert password_problem("bench-pass-2024", "bench") is None


def test_a_passphrase_of_plain_words_is_fine():
    assert password_problem("风吹稻花香两岸") is not None  # 7 characters: too short
    assert password_problem("correct horse battery") is None
    assert password_problem("风吹稻花香两岸人家") is None


# --- TOTP ------------------------------------------------------------------------------------


def test_codes_of_the_current_and_neighbouring_steps_match():
    step = totp.current_step(NOW)
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step), None, NOW) == step
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step - 1), None, NOW) == step - 1
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step + 1), None, NOW) == step + 1
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step - 2), None, NOW) is None


def test_a_code_is_never_accepted_twice():
    step = totp.current_step(NOW)
    code = totp.code_at(SECRET, step)
    assert totp.matching_step(SECRET, code, step, NOW) is None  # same step again: a replay
    # Nor an older code of the window, once a newer one was used.
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step - 1), step, NOW) is None
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step + 1), step, NOW) == step + 1


def test_codes_are_six_digits_and_spaces_are_forgiven():
    step = totp.current_step(NOW)
    code = totp.code_at(SECRET, step)
    assert re.fullmatch(r"\d{6}", code)
    assert totp.matching_step(SECRET, f"{code[:3]} {code[3:]}", None, NOW) == step
    assert totp.matching_step(SECRET, "abcdef", None, NOW) is None
    assert totp.matching_step(SECRET, "", None, NOW) is None


def test_rfc_6238_reference_value():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the 6-digit code is its tail.
    rfc_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(rfc_secret, 59 // 30) == "287082"


def test_secrets_are_normalised_and_short_ones_refused():
    assert totp.normalise_secret("jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp") == SECRET
    assert totp.normalise_secret(SECRET + "====") == SECRET
    assert totp.normalise_secret("JBSWY3DPEHPK3PXP") is None  # 80 bits: below RFC 4226's 128
    assert totp.normalise_secret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PX1") is None  # 1 is not base32
    assert len(totp.new_secret()) == 32
    assert totp.new_secret() != totp.new_secret()


def test_the_qr_code_is_an_inline_svg_without_script_or_style():
    uri = totp.provisioning_uri(SECRET, "town1")
    assert uri.startswith("otpauth://totp/caseman:town1?secret=" + SECRET)
    svg = totp.qr_svg(uri, 'QR "code"')
    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>")
    assert 'aria-label="QR &quot;code&quot;"' in svg
    assert "<script" not in svg
    assert "style=" not in svg
    assert "<?xml" not in svg
