"""Likely duplicates (issue 20 item 4, requirements row 7): one person, one case file.

004 一(三): "填写《渝北区特殊困难老年人信息登记表》（附件2），逐人建立电子台账"
— a case per person. The exact ID number is refused outright (the column is unique); this rule finds
the near misses a typo or a second registration leaves behind:

* the ID number one digit different, or two adjacent digits swapped (a transposed pair), in its
  first 17 characters — the check character is set aside, since a retyped number is often given
  a fresh, valid check character — with a name alike (same characters or same sound): two people
  born on one day in one county often have numbers one sequence digit apart, and a typo of one
  person keeps the name;
* the same name (same characters) with the same birth date;
* the same name by sound (同音: every character shares a pinyin reading, e.g. 张三丰 and 章三峰)
  with the same birth date.

An ID number encodes the birth date (digits 7-14, GB 11643), so every near-miss number has a
birth date equal to the typed one or one digit or swap away from it:
:func:`nearby_birth_dates` lists them, and a query by birth date finds every candidate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from caseman.rules.enums import N_
from caseman.rules.pinyin import normalise, readings

BODY = 17  # the ID number without its check character


class DuplicateReason(StrEnum):
    SAME_ID = "same_id"
    ID_ONE_DIGIT = "id_one_digit"  # one digit different
    ID_TRANSPOSED = "id_transposed"  # two adjacent digits swapped
    SAME_NAME_BIRTH = "same_name_birth"  # same characters, same birth date
    SAME_PINYIN_BIRTH = "same_pinyin_birth"  # same sound, other characters, same birth date


REASON_TEXT = {
    DuplicateReason.SAME_ID: N_("the same ID number"),
    DuplicateReason.ID_ONE_DIGIT: N_("the ID number differs in one digit"),
    DuplicateReason.ID_TRANSPOSED: N_("the ID number has two neighbouring digits swapped"),
    DuplicateReason.SAME_NAME_BIRTH: N_("the same name and birth date"),
    DuplicateReason.SAME_PINYIN_BIRTH: N_("a name that sounds the same and the same birth date"),
}


@dataclass(frozen=True)
class Person:
    """What registration knows of a person: name, birth date, ID number (normalised)."""

    name: str
    birth_on: date | None
    id_number: str


def id_difference(typed: str, other: str) -> DuplicateReason | None:
    """How two ID numbers are near: the same, one digit apart or a transposed pair (first 17
    characters compared), else None."""
    a, b = typed.strip().upper(), other.strip().upper()
    if not a or not b:
        return None
    if a == b:
        return DuplicateReason.SAME_ID
    a, b = a[:BODY], b[:BODY]
    if len(a) != len(b) or len(a) < BODY:
        return None
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 0:
        return DuplicateReason.ID_ONE_DIGIT  # only the check character differs
    if len(diff) == 1:
        return DuplicateReason.ID_ONE_DIGIT
    if len(diff) == 2:
        i, j = diff
        if j == i + 1 and a[i] == b[j] and a[j] == b[i]:
            return DuplicateReason.ID_TRANSPOSED
    return None


def same_name(a: str, b: str) -> bool:
    """The same characters (spaces, full-width forms and case set aside)."""
    na, nb = normalise(a), normalise(b)
    return bool(na) and na == nb


def same_pinyin(a: str, b: str) -> bool:
    """Names that read alike: as many characters, each pair sharing a pinyin reading."""
    na, nb = normalise(a), normalise(b)
    if not na or len(na) != len(nb):
        return False
    for x, y in zip(na, nb, strict=True):
        rx, ry = readings(x), readings(y)
        if x != y and not (rx and ry and set(rx) & set(ry)):
            return False
    return True


def duplicate_reasons(new: Person, other: Person) -> list[DuplicateReason]:
    """Why ``other`` is likely the same person as ``new`` (empty: not likely), strongest first."""
    reasons: list[DuplicateReason] = []
    by_id = id_difference(new.id_number, other.id_number)
    alike = same_name(new.name, other.name) or same_pinyin(new.name, other.name)
    # A near ID number alone is not a sign: people born on one day in one county have numbers
    # that differ only in their sequence digits (about one pair in 40 differs in one digit).
    # A typo of the same person keeps the name: near numbers count when the names are alike.
    if by_id is DuplicateReason.SAME_ID or (by_id is not None and alike):
        reasons.append(by_id)
    if new.birth_on is not None and new.birth_on == other.birth_on:
        if same_name(new.name, other.name):
            reasons.append(DuplicateReason.SAME_NAME_BIRTH)
        elif same_pinyin(new.name, other.name):
            reasons.append(DuplicateReason.SAME_PINYIN_BIRTH)
    return reasons


def _valid(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def nearby_birth_dates(birth_on: date) -> set[date]:
    """The birth date and every real date one digit or one adjacent swap away in YYYYMMDD.

    A near-miss ID number changes at most one digit of its birth date (or swaps two of them, or
    swaps its first or last digit with the region or sequence digit beside it: again one digit
    of the date changed), so its holder's birth date is in this set (at most 80 dates).
    """
    text = f"{birth_on:%Y%m%d}"
    found = {birth_on}
    for i in range(len(text)):
        for digit in "0123456789":
            if digit != text[i] and (d := _valid(text[:i] + digit + text[i + 1 :])):
                found.add(d)
    for i in range(len(text) - 1):
        swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if swapped != text and (d := _valid(swapped)):
            found.add(d)
    return found


def describe(reasons: Iterable[DuplicateReason]) -> list[str]:
    """The msgids saying why (translate them with caseman.i18n)."""
    return [REASON_TEXT[r] for r in reasons]
