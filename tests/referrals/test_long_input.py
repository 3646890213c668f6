"""Too-long input (issue 23 item 3): the Length message is shown beside the field in Chinese, what
was typed is kept, nothing is saved; a note of exactly the limit with CR LF line breaks (as browsers
send them) is accepted."""

from __future__ import annotations

from sqlalchemy import func, select

from caseman.extensions import db
from caseman.referrals.models import Referral
from tests.referrals.test_views import login, referral_form  # noqa: F401  (fixture)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Referral))


def test_a_too_long_description_is_refused_beside_the_field_in_chinese(elder, cadre, login):  # noqa: F811
    client = login(cadre, lang="zh_Hans_CN")
    before = _count()
    typed = "需" * 2001
    response = client.post(
        f"/elders/{elder.id}/referrals/new", data=referral_form(cadre, description=typed)
    )
    assert response.status_code == 400  # the form again, with its messages
    html = response.get_data(as_text=True)
    assert "不能超过 2000 个字。" in html
    assert typed in html  # what was typed is still there
    assert _count() == before


def test_a_note_at_the_limit_with_crlf_line_breaks_is_accepted(elder, cadre, login):  # noqa: F811
    client = login(cadre, lang="zh_Hans_CN")
    before = _count()
    lines = ["甲" * 99] * 20  # 20 lines of 99 and 19 breaks: 1,999 characters as the page counts
    typed = "\r\n".join(lines)
    response = client.post(
        f"/elders/{elder.id}/referrals/new", data=referral_form(cadre, description=typed)
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _count() == before + 1
    saved = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
    assert saved.description == "\n".join(lines)
