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

Per role (GB/T 35273-2020 §7.1 访问控制, least privilege, and §7.2 展示限制, de-identified
display: show on screen and paper only what the reader's job needs). An ID number is area code
(6 digits: province 2, city 2, county 2) + birth date (8) + sequence (3) + check (1). The birth
date and sequence are what make a number usable by someone else (together with the name) and
are never shown in a list. The area prefix says where the household is registered:

* district and town staff (``district``, ``town``) see all 6 digits of the area code
  (``500112********1234``): they compare registrations across towns and with other offices'
  lists (户籍, 低保), where the county of registration tells apart people of the same name;
* village staff and workers (``village``, ``worker``) see 4 (``5001**********1234``): they know
  their elders in person; the last 4 are enough to match a paper form;
* unknown roles get the strictest form (4).

Phones keep 3 + 4 for every role (``138****5678``): enough to recognise a number, not to dial it.

A disability certificate number (残疾证号, 004 一(三)5; the second-generation 残疾人证 number is
the holder's 18-character ID number followed by one digit for the kind and one for the grade of
disability) embeds the ID number, so it is masked exactly where and as the ID number is: its
first 18 characters like an ID number for the reader's role, the kind and grade digits kept
(``5001**********123412``); any other form keeps only its last 2 characters.

Where the full value shows:

* the case file (``/elders/<id>``), only to users whose scope includes the elder — masked by
  default as in the lists, with a "show full numbers" button (POST, audited as ``reveal``). Case
  files are opened on phones at the elder's door and in shared village offices, and the full
  number is needed only now and then (a call, checking a paper form): a click that is recorded
  costs little and makes every disclosure of a full number traceable (the security audit of §11);
* the same for the disability certificate number, which carries the ID number;
* ledger exports (附件1 .xlsx/.docx/.pdf): full for district and town (they submit it, 004 三(三)),
  masked as above for the others (:data:`FULL_EXPORT_ROLES`);
* the registration form when correcting a case or reviewing it (``/elders/<id>/edit`` and
  ``/review``), only to users whose scope includes the elder: a field must hold the whole number
  (the elder's and the family's ID numbers and phones) for a typo in it to be corrected, so the
  form is not masked; opening it is audited (``view_form``) like the reveal;
* printed official forms (附件2, 附件3): full — they are the signed official record — and every
  printing is audited (``print``).
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


AREA_DIGITS_BY_ROLE = {"district": 6, "town": 6, "village": 4, "worker": 4}
STRICTEST_AREA_DIGITS = 4
FULL_EXPORT_ROLES = ("district", "town")


def area_digits_for(role: str | None) -> int:
    """How many leading digits (the area code) of an ID number ``role`` sees in a list."""
    return AREA_DIGITS_BY_ROLE.get(role or "", STRICTEST_AREA_DIGITS)


def mask_id_number(value: str | None, head: int = STRICTEST_AREA_DIGITS) -> str:
    """Mask an ID number: ``5001**********1234`` for 18 characters, else all but the last 2.

    ``head`` (4 or 6) is how much of the area code shows; see :func:`area_digits_for`.
    """
    value = (value or "").strip()
    if len(value) == 18:
        return _mask_keep(value, head, 4)
    return _mask_other(value)


def mask_id_for_role(value: str | None, role: str | None) -> str:
    """The ID number as ``role`` sees it in lists, search results, dashboards and due lists."""
    return mask_id_number(value, area_digits_for(role))


def mask_phone(value: str | None) -> str:
    """Mask a phone number: ``138****5678`` for 11 characters, else all but the last 2."""
    value = (value or "").strip()
    if len(value) == 11:
        return _mask_keep(value, 3, 4)
    return _mask_other(value)


def mask_certificate_number(value: str | None, head: int = STRICTEST_AREA_DIGITS) -> str:
    """Mask a disability certificate number (ID number + kind + grade) like its ID number.

    ``51011219450101123412`` → ``5101**********123412`` (``head`` as in :func:`mask_id_number`);
    18 to 20 characters are taken as an ID number and up to 2 digits, anything else keeps only
    its last 2 characters.
    """
    value = (value or "").strip()
    if 18 <= len(value) <= 20:
        return mask_id_number(value[:18], head) + value[18:]
    return _mask_other(value)


def mask_certificate_for_role(value: str | None, role: str | None) -> str:
    """The disability certificate number as ``role`` sees it wherever its ID number is masked."""
    return mask_certificate_number(value, area_digits_for(role))
