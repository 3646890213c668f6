"""Plain Chinese (issue 17 item 14) on the family-duty and benefit pages with their data shown:
a due reminder, a duty, a contact, an entrustment with its scan, applications of every outcome.
The route walk of tests/test_plain_chinese.py reaches these pages with an empty family."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from caseman.benefits.services import apply_for_benefit, decide_application
from caseman.extensions import db
from caseman.family.services import add_entrustment, record_contact, set_duty
from caseman.rules.benefits import BenefitKind, Outcome
from caseman.rules.family_duty import ContactMethod, ContactRhythm
from tests.conftest import TODAY, log_in
from tests.test_plain_chinese import ISO_DATE, english_words, half_width, visible_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_family_and_benefit_pages_speak_plain_chinese(app, family_elder, make_user, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path)
    elder = family_elder()
    son, daughter = elder.members
    cadre = make_user("village", "jingang", username="cadre")
    set_duty(cadre, elder, daughter, is_away=True, away_place="浙江省杭州市",
             rhythm=ContactRhythm.WEEKLY, note="春节回家")  # fmt: skip
    record_contact(cadre, elder, daughter, contacted_on=TODAY - timedelta(days=20),
                   method=ContactMethod.MESSAGE, note="已提醒", today=TODAY)  # fmt: skip
    add_entrustment(cadre, elder, entrusting_name=son.name, entrusting_relation=son.relation,
                    entrusted_name="王大姐", entrusted_is_organisation=False,
                    entrusted_phone="13700000000", starts_on=TODAY - timedelta(days=3),
                    ends_on=None, note="", filename="协议.png", content=PNG, uploads=tmp_path,
                    today=TODAY)  # fmt: skip
    pending = apply_for_benefit(cadre, elder, kind=BenefitKind.OTHER, other_name="重残护理补贴",
                                applied_on=TODAY, note="", today=TODAY)  # fmt: skip
    for kind, outcome in ((BenefitKind.OLD_AGE_ALLOWANCE, Outcome.GRANTED),
                          (BenefitKind.CARE_SUBSIDY, Outcome.REFUSED)):  # fmt: skip
        application = apply_for_benefit(cadre, elder, kind=kind, other_name="",
                                        applied_on=TODAY - timedelta(days=9), note="",
                                        today=TODAY)  # fmt: skip
        decide_application(cadre, application, outcome=outcome, decided_on=TODAY,
                           monthly_amount=Decimal("100") if outcome is Outcome.GRANTED else None,
                           reason="不符合条件", today=TODAY)  # fmt: skip
    db.session.commit()
    urls = [
        "/family/reminders",
        f"/elders/{elder.id}",
        f"/elders/{elder.id}/family",
        f"/elders/{elder.id}/family/{son.id}/duty",
        f"/elders/{elder.id}/family/{son.id}/contact",
        f"/elders/{elder.id}/family/entrustments/new",
        "/benefits/",
        f"/elders/{elder.id}/benefits/new",
        f"/elders/{elder.id}/benefits/{pending.id}/decide",
    ]
    for user in (cadre, make_user("district", "district", username="district")):
        client = app.test_client()
        log_in(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.get_data(as_text=True))
            assert not english_words(text, {"cadre", "district", "registrar"}), (url, text)
            assert not half_width(text), (url, half_width(text))
            assert not ISO_DATE.findall(text), url
