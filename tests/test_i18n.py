"""Every UI string is translated: the catalogue is current and complete in zh_Hans_CN and en."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "caseman" / "translations"


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "N_", "--ignore-dirs", ".* venv .venv", "--no-location",
         "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    missing = _ids(fresh) - _ids(CATALOGS / "messages.pot")
    assert not missing, f"run `make babel-update` and translate: {sorted(missing)[:10]}"


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_catalogue_is_complete(locale):
    wanted = _ids(CATALOGS / "messages.pot")
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = set()
    for message in catalog:
        if not message.id or "fuzzy" in message.flags:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            translated.add(message.id if isinstance(message.id, str) else message.id[0])
    untranslated = wanted - translated
    assert not untranslated, f"{locale} lacks: {sorted(untranslated)[:10]}"


def test_pages_are_chinese_by_default_and_english_on_request(client, make_user, login_as):
    login_as(make_user("village", "jingang"))
    assert "登记老年人" in client.get("/elders/").get_data(as_text=True)
    client.post("/lang", data={"lang": "en", "next": "/elders/"})
    assert "Register an elder" in client.get("/elders/").get_data(as_text=True)


def test_dates_are_written_the_chinese_way(app):
    from datetime import date

    from caseman.i18n import cn_date

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert cn_date(date(2024, 3, 5)) == "2024年3月5日"


def test_remembered_dates_read_as_flask_babel_formats_them_in_each_locale(app) -> None:
    """cn_date keeps each formatted day (issue 21: a town's due list prints thousands): the
    text must be exactly what Flask-Babel gives, in each locale, and never leak between them."""
    from datetime import date

    from flask_babel import force_locale, format_date

    from caseman.i18n import cn_date

    with app.test_request_context():
        for locale in ("zh_Hans_CN", "en", "zh_Hans_CN"):
            with force_locale(locale):
                for day in (date(2026, 12, 5), date(2024, 2, 29)):
                    for fmt in ("long", "short"):
                        assert cn_date(day, fmt) == format_date(day, fmt)
            with force_locale(locale):
                assert ("年" in cn_date(date(2026, 12, 5))) == (locale == "zh_Hans_CN")
