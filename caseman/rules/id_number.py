"""Resident identity card numbers (居民身份证号码, GB 11643-1999).

An 18-character number: a 6-digit address code (the county where it was first issued), an
8-digit birth date YYYYMMDD, a 3-digit sequence whose last digit is odd for men and even for
women, and an ISO 7064 MOD 11-2 check character (0-9 or X).

DESIGN.md: the birth date and gender on an elder's registration (附件2) derive from the number
and must agree with it. ``stdnum.cn.ric`` computes the check digit, but its ``validate`` also
requires the address code to be in its county table and accepts future birth dates; abolished
county codes are still on real cards and demo data uses synthetic codes, so this module checks
only that the address code is six digits and adds the date range checks itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric

from caseman.rules.enums import N_, Gender

ID_NUMBER_LENGTH = 18

# Oldest birth date accepted: the registers this tool replaces hold no one born before 1900,
# and a 18xx date is almost always a typo for 19xx.
EARLIEST_BIRTH_ON = date(1900, 1, 1)

# Full-width forms typed by Chinese input methods: ０-９, Ｘ, ｘ and the ideographic space.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "Ｘ": "X",
        "ｘ": "X",
        "\u3000": " ",
    }
)


class InvalidIdNumber(ValueError):
    """An ID number that cannot be accepted; ``message`` is an untranslated msgid."""

    def __init__(self, message: str, params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params: dict[str, object] = params or {}


@dataclass(frozen=True)
class IdNumberInfo:
    """What a valid ID number says about its holder."""

    number: str  # normalized: 18 ASCII characters, upper-case X
    birth_on: date
    gender: Gender
    region_code: str  # the first 6 digits (address code at first issue)


def normalize_id_number(value: str) -> str:
    """Return ``value`` without any whitespace, full-width characters made ASCII, x upper-cased.

    Does not validate: pass the result to :func:`parse_id_number`.
    """
    translated = (value or "").translate(_FULL_WIDTH)
    # str.split() with no argument splits on every Unicode whitespace (incl. NBSP, tabs).
    return "".join(translated.split()).upper()


def parse_id_number(value: str, today: date) -> IdNumberInfo:
    """Validate an ID number and return its birth date, gender and region code.

    Raises :class:`InvalidIdNumber` with a specific message for, in this order: wrong length,
    characters other than digits (X only last), a wrong check digit, a birth date that does
    not exist, a birth date after ``today``, and a birth date before 1900.
    """
    number = normalize_id_number(value)
    if len(number) != ID_NUMBER_LENGTH:
        raise InvalidIdNumber(N_("The ID number must have 18 characters."))
    if not number[:-1].isascii() or not number[:-1].isdigit() or number[-1] not in "0123456789X":
        raise InvalidIdNumber(
            N_("The ID number may contain only digits, with X allowed as the last character.")
        )
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidIdNumber(N_("The check digit of this ID number is wrong."))
    try:
        birth_on = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(N_("The birth date in this ID number does not exist.")) from None
    if birth_on > today:
        raise InvalidIdNumber(N_("The birth date in this ID number is in the future."))
    if birth_on < EARLIEST_BIRTH_ON:
        raise InvalidIdNumber(N_("The birth date in this ID number is before 1900."))
    return IdNumberInfo(
        number=number,
        birth_on=birth_on,
        gender=_gender_of(number),
        region_code=number[:6],
    )


def _gender_of(number: str) -> Gender:
    # GB 11643: the 17th character (last of the sequence code) is odd for men, even for women.
    return Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE


def age_on(birth_on: date, on: date) -> int:
    """Age in full years (周岁) on the date ``on``.

    The age goes up on the birthday itself. Someone born on 29 February turns a year older on
    1 March in common years (28 February is still before the birthday). Raises ValueError if
    ``on`` is before ``birth_on``.
    """
    if on < birth_on:
        raise ValueError("on must not be before birth_on")
    had_birthday = (on.month, on.day) >= (birth_on.month, birth_on.day)
    return on.year - birth_on.year - (0 if had_birthday else 1)


def check_gender(info: IdNumberInfo, gender: Gender) -> None:
    """Raise :class:`InvalidIdNumber` if ``gender`` disagrees with the ID number."""
    if info.gender != gender:
        raise InvalidIdNumber(
            N_(
                "The gender does not match the ID number "
                "(the 17th digit is odd for men, even for women)."
            )
        )


def make_id_number(region_code: str, birth_on: date, serial: int, gender: Gender) -> str:
    """Build a valid ID number (for demo data and tests).

    ``serial`` 0..499 picks one of the 500 sequence codes of that gender: 000, 002 … 998 for
    women and 001, 003 … 999 for men.
    """
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError("region_code must be 6 digits")
    if not 0 <= serial <= 499:
        raise ValueError("serial must be in 0..499")
    if not 1000 <= birth_on.year <= 9999:
        raise ValueError("birth_on must have a 4-digit year")
    sequence = serial * 2 + (1 if gender == Gender.MALE else 0)
    body = f"{region_code}{birth_on:%Y%m%d}{sequence:03d}"
    # calc_check_digit ignores the last character of what it is given (it expects a full number).
    return body + ric.calc_check_digit(body + "0")
