"""Consent before an elder's details go to an outside service (issue 19 item 4, row 42).

004 四(四) asks that the elders' privacy be protected (注重保护特殊困难老年人隐私), and the
Personal Information Protection Law (个人信息保护法 第二十三条) asks for the person's own consent
(单独同意) before their personal information is given to another organisation. A referral hands a
need, with the elder's name, address and phone, to a service outside the office: before it does,
the worker records that the elder (or their guardian) was told and agreed, who, when and how; a
refusal is recorded too, and the referral is then not handed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from caseman.rules.enums import N_


class ConsentAnswer(StrEnum):
    AGREED = "agreed"  # 同意提供
    REFUSED = "refused"  # 不同意


class ConsentWay(StrEnum):
    IN_PERSON = "in_person"  # 当面口头告知并同意
    SIGNED = "signed"  # 书面签字
    PHONE = "phone"  # 电话告知并同意


@dataclass(frozen=True)
class Consent:
    answer: ConsentAnswer | None
    given_by: str  # 本人, or the guardian's name and relation
    way: ConsentWay | None
    given_on: date | None


def consent_problems(consent: Consent, raised_on: date, today: date) -> dict[str, str]:
    """What is missing or wrong in a consent record, by field (English msgids)."""
    problems: dict[str, str] = {}
    if consent.answer is None:
        problems["consent_answer"] = N_(
            "Say whether the elder (or guardian) agreed that their details go to this service."
        )
    if not consent.given_by.strip():
        problems["consent_by"] = N_("Say who answered: the elder, or the guardian's name.")
    if consent.way is None:
        problems["consent_way"] = N_("Say how the elder was told and answered.")
    if consent.given_on is None:
        problems["consent_on"] = N_("Give the date of the answer.")
    elif consent.given_on > today or consent.given_on < raised_on:
        problems["consent_on"] = N_("The date must be between the referral and today.")
    return problems


def may_share(answer: ConsentAnswer | None) -> bool:
    """Only an agreement lets the referral hand the elder's details to an outside service."""
    return answer is ConsentAnswer.AGREED
