"""Masking of ID numbers and phone numbers on screens, lists and exports for general viewers.

The rule (004 三(四): "注重保护特殊困难老年人隐私"):

* An 18-character ID number shows its first 4 and last 4 characters; the 10 in between (the
  rest of the county code, the birth date and the sequence code) become ``*``, so the length is
  kept: ``500112194501011234`` → ``5001**********1234``. The first 4 (province and city) are
  enough to tell people apart by place and the last 4 to match a paper form.
* An 11-character phone number (a mobile number) shows its first 3 and last 4 characters:
  ``13812345678`` → ``138****5678``.
* Any other value (a 15-digit old ID, a landline with an area code, a typo) keeps only its last
  2 characters, every other character becomes ``*`` and the length is kept:
  ``023-67891234`` → ``**********34``. A value of 1 or 2 characters is masked completely, since
  showing its "last 2" would show all of it.
* Surrounding whitespace is dropped; an empty value gives ``""``.

Masking is for display only: never store or compare masked values.
"""

from __future__ import annotations

MASK = "*"


def _mask_keep(value: str, head: int, tail: int) -> str:
    hidden = len(value) - head - tail
    return value[:head] + MASK * hidden + value[len(value) - tail :]


def _mask_other(value: str) -> str:
    if len(value) <= 2:
        return MASK * len(value)
    return _mask_keep(value, 0, 2)


def mask_id_number(value: str | None) -> str:
    """Mask an ID number: ``5001**********1234`` for 18 characters, else all but the last 2."""
    value = (value or "").strip()
    if len(value) == 18:
        return _mask_keep(value, 4, 4)
    return _mask_other(value)


def mask_phone(value: str | None) -> str:
    """Mask a phone number: ``138****5678`` for 11 characters, else all but the last 2."""
    value = (value or "").strip()
    if len(value) == 11:
        return _mask_keep(value, 3, 4)
    return _mask_other(value)
