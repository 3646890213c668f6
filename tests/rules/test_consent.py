"""Consent before a referral shares an elder's details (issue 19 item 4; 004 四(四) privacy;
个人信息保护法 第二十三条 separate consent)."""

from __future__ import annotations

from datetime import date

from caseman.rules.consent import Consent, ConsentAnswer, ConsentWay, consent_problems, may_share

RAISED = date(2026, 11, 20)
TODAY = date(2026, 12, 5)


def test_a_complete_agreement_has_no_problem_and_lets_the_referral_share():
    consent = Consent(ConsentAnswer.AGREED, "本人", ConsentWay.IN_PERSON, TODAY)
    assert consent_problems(consent, RAISED, TODAY) == {}
    assert may_share(consent.answer)


def test_a_refusal_is_a_complete_record_but_shares_nothing():
    consent = Consent(ConsentAnswer.REFUSED, "李强（儿子，监护人）", ConsentWay.PHONE, TODAY)
    assert consent_problems(consent, RAISED, TODAY) == {}
    assert not may_share(consent.answer)
    assert not may_share(None)


def test_every_missing_part_is_named_by_its_field():
    problems = consent_problems(Consent(None, " ", None, None), RAISED, TODAY)
    assert set(problems) == {"consent_answer", "consent_by", "consent_way", "consent_on"}


def test_the_date_lies_between_the_referral_and_today():
    for day in (date(2026, 11, 19), date(2026, 12, 6)):
        consent = Consent(ConsentAnswer.AGREED, "本人", ConsentWay.SIGNED, day)
        assert set(consent_problems(consent, RAISED, TODAY)) == {"consent_on"}
