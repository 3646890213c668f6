"""Plain Chinese on every page (issue 17 item 14).

Each role (district, town, village, worker) opens every GET route of ``app.url_map`` on a small
seeded world (the route walk of tests/security/routes.py); the visible text of every HTML page
(tags, scripts, styles and attribute values stripped) must hold no English word and no ISO date.
Proper tokens (ID, QR, PDF, Word, Excel …), file extensions and the login names of the data
are allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import Flask

from caseman.audit import AuditEvent
from caseman.auth.models import User
from caseman.documents.models import SignedScan
from caseman.extensions import db
from caseman.referrals.services import acknowledge_risk
from caseman.rules.referrals import RiskType
from tests.conftest import TODAY
from tests.referrals.conftest import (  # noqa: F401 - fixtures of the seeded world
    add_referral,
    add_risk,
    cadre,
    elder,
    town_user,
)
from tests.security.conftest import log_in, world  # noqa: F401 - the seeded world
from tests.security.routes import routes

# Proper tokens a Chinese page may carry as they are: names of formats and units, the language
# switch's "English", and the names of authenticator apps the second-factor page recommends.
ALLOWED = {"ID", "QR", "PDF", "Word", "Excel", "WPS", "CSV", "TOTP", "English", "IP", "A4",
           "MB", "JPEG", "PNG", "Microsoft", "Authenticator", "FreeOTP"}  # fmt: skip
# Pages that are not pages of the site's own text (static files, downloads).
SKIPPED_ENDPOINTS = {"static"}
# A "word": a run of ASCII letters, digits and underscores with 2 letters or more ("annex2",
# "login_failed"), not a file extension (".docx"). Masked ID numbers ("…123X") have one letter.
TOKEN = re.compile(r"(?<![.A-Za-z0-9_])[A-Za-z0-9_]+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Half-width punctuation touching Chinese text (Chinese takes full-width ，。：；（）？！).
_CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
HALF_WIDTH = re.compile(rf"[{_CJK}][,;:()?!]|[,;:()?!][{_CJK}]")


class _Text(HTMLParser):
    """The text a reader sees: no tags, no attribute values, nothing of <script> or <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def english_words(text: str, names: set[str]) -> set[str]:
    for name in names:
        text = text.replace(name, " ")
    tokens = TOKEN.findall(text)
    return {t for t in tokens if len(re.findall("[A-Za-z]", t)) >= 2 and t not in ALLOWED}


def test_visible_text_ignores_tags_attributes_and_scripts():
    html = '<p title="English">中文 <b>word</b></p><script>var x = 1;</script><style>p{}</style>'
    assert visible_text(html) == "中文 word"
    assert english_words("下载 Word（.docx） 风险: acknowledged 打印 annex2 2026-12-05", set()) == {
        "acknowledged",
        "annex2",
    }
    assert english_words("5001**********123X login_failed cadre1", {"cadre1"}) == {"login_failed"}
    assert half_width("风险: 已处置，（附件2） (PDF)") == {"险:"}
    assert half_width("互助养老积分（分) 000 三(六)1(1)") == set()  # verbatim, cited


@pytest.fixture
def pages(app: Flask, world, make_user, add_risk) -> list[tuple[str, str, str]]:  # noqa: F811
    """(role, url, visible text) of every HTML page each role may open.

    The district walks last, so the audit log it reads holds the others' logins, views and
    refusals, and a failed login."""
    worker = make_user("worker", "jingang", username="worker_walk")
    # A report-at-once risk the town acknowledged: its step shows on the case history.
    missing = add_risk(world.elder, risk_type=RiskType.MISSING.value)
    acknowledge_risk(world.town, missing, TODAY)
    db.session.commit()
    app.test_client().post("/login", data={"username": "worker_walk", "password": "wrong"})
    users = [("village", world.cadre), ("worker", worker), ("town", world.town),
             ("district", world.district)]  # fmt: skip
    gets = [r for r in routes(app, world) if r.method == "GET"]
    gets = [r for r in gets if r.endpoint not in SKIPPED_ENDPOINTS]
    found = []
    for role, user in users:
        client = log_in(app, user)
        for route in gets:
            response = client.get(route.url)
            try:
                if response.status_code == 200 and response.mimetype == "text/html":
                    text = visible_text(response.get_data(as_text=True))
                    found.append((role, route.url, text))
            finally:
                response.close()
    return found


def _names() -> set[str]:
    """Data the pages show as they are: login names, file names of scans, and the groups of 4
    characters of second-factor keys (shown for typing into an app)."""
    names = set(db.session.scalars(sa.select(User.username)))
    names |= set(db.session.scalars(sa.select(AuditEvent.username).distinct()))
    names |= set(db.session.scalars(sa.select(SignedScan.filename)))
    for secret in db.session.scalars(sa.select(User.totp_secret)):
        names |= {secret[i : i + 4] for i in range(0, len(secret or ""), 4)}
    return {n for n in names if n}


# Text shown verbatim: the column headings of 000 附件1 as the official form prints them, and
# citations of the seed clauses as the code cites them ("000 三(六)1(1)").
VERBATIM = re.compile(
    r"互助养老积分（分\)|集体活动\(场\)|\d{3} [一二三四五六七八九十]+\([^)]*\)[\d()]*"
)


def half_width(text: str) -> set[str]:
    return set(HALF_WIDTH.findall(VERBATIM.sub(" ", text)))


def test_no_english_word_and_no_half_width_punctuation_on_any_page(pages):
    names = _names()
    english = {
        f"{role} {url}": english_words(text, names) | half_width(text) for role, url, text in pages
    }
    english = {page: words for page, words in english.items() if words}
    assert len(pages) >= 40, len(pages)  # the walk reached the pages of all four roles
    assert {page.split()[0] for page, *_ in [(f"{r} {u}",) for r, u, _t in pages]} == {
        "village",
        "worker",
        "town",
        "district",
    }
    assert not english, "\n".join(f"{page}: {sorted(words)}" for page, words in english.items())


def test_no_iso_date_on_any_page(pages):
    dates = {f"{role} {url}": ISO_DATE.findall(text)[:3] for role, url, text in pages}
    dates = {page: found for page, found in dates.items() if found}
    assert not dates, "\n".join(f"{page}: {found}" for page, found in dates.items())
