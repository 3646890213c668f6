"""Bad input never answers 500 (issue 23 item 3).

Every form of the test world (found by reading the pages a user of each role sees: a form is
known by its ``action``) is posted once per field and per kind of bad value, the other fields kept
at what the page showed: over-long text, control characters, whitespace only, 1e308 / Infinity /
NaN and huge numbers (ids). No answer may be a 5xx. Then every page of the world is opened again
and its forms printed (附件2 and 附件3, PDF and Word): whatever was saved must not break them.

POST routes that no page of the world shows a form for (an id that exists nowhere, a token) are
posted with the bad values under the usual field names. Forms that would end the fuzzing user's
session (log out, a password change, disabling or resetting the user) are posted against a spare
user, and those that close or move an area against a spare village.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest
from flask import got_request_exception
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from caseman.areas.models import AreaLevel
from caseman.areas.services import create_area
from caseman.extensions import db
from tests.security.conftest import log_in
from tests.security.routes import Route, routes, user_for

LONG = ("长文本" * 700 + "\r\n") * 3  # ~6,300 characters with Windows line breaks
BAD_VALUES = {
    "over-long": LONG,
    "control characters": "张\x00三\x07\x1b\x7f\u0085",
    "whitespace only": " \t\u3000 ",
    "1e308": "1e308",
    "Infinity": "Infinity",
    "NaN": "-NaN",
    "huge id": "99999999999999999999999",
    "past int32": "2147483648",
}
# Never posted: it would log the fuzzing client out (the logout form is on every page).
NEVER = {"auth.logout"}


@dataclass(frozen=True)
class FoundForm:
    action: str  # path (and query) the form posts to
    endpoint: str
    role: str  # whose page showed it
    fields: tuple[tuple[str, str], ...]  # (name, value) as the page would send them
    page: str  # the page that shows it

    def refreshed(self, client: FlaskClient) -> tuple[tuple[str, str], ...]:
        """The fields as the page shows them now (after a save: the record's new version)."""
        response = client.get(self.page)
        if response.status_code == 200 and response.mimetype == "text/html":
            names = {name for name, _v in self.fields}
            for action, sent in _parse_forms(self.page, response.get_data(as_text=True)):
                if action == self.action and {name for name, _v in sent} == names:
                    return tuple(sent)
        return self.fields


def _parse_forms(
    page_url: str, html: str, method: str = "post"
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Each form of ``html`` sent by ``method``: its action and what a browser would send."""
    tree = lxml.html.fromstring(html)
    for form in tree.iter("form"):
        if (form.get("method") or "get").lower() != method:
            continue
        action = urljoin(page_url, form.get("action") or page_url)
        parts = urlsplit(action)
        action = parts.path + (f"?{parts.query}" if parts.query else "")
        sent: list[tuple[str, str]] = []
        buttons: list[lxml.html.HtmlElement] = []
        for element in form.iter("input", "select", "textarea", "button"):
            name = element.get("name")
            if not name or element.get("disabled") is not None:
                continue
            kind = (element.get("type") or "").lower()
            if element.tag == "button" or kind in ("submit", "image"):
                buttons.append(element)
                continue
            if element.tag == "select":
                options = element.findall(".//option")
                chosen = [o for o in options if o.get("selected") is not None]
                if not chosen and options and element.get("multiple") is None:
                    chosen = options[:1]
                sent.extend((name, o.get("value", o.text_content())) for o in chosen)
            elif element.tag == "textarea":
                sent.append((name, element.text or ""))
            elif kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    sent.append((name, element.get("value") or "on"))
            elif kind == "file":
                continue
            else:
                sent.append((name, element.get("value") or ""))
        if buttons:  # the main button, as if clicked (not "add a family member")
            primary = [b for b in buttons if "primary" in (b.get("class") or "")]
            named = [b for b in buttons if b.get("name") in ("submit", "save")]
            button = (primary or named or buttons[-1:])[0]
            if button.get("name"):
                sent.append((button.get("name"), button.get("value") or ""))
        yield action, sent


def _endpoint(app, action: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(action).path, method="POST")
    except HTTPException:
        return None
    return endpoint


@pytest.fixture
def spares(world, make_user, areas):
    """A user and a village the forms that end sessions or close areas may act on."""
    spare = make_user("village", "jingang", username="spare_cadre", full_name="备用账号")
    village = create_area("备用村", AreaLevel.VILLAGE, areas["muer"])
    db.session.commit()
    return {"user": spare, "area": village}


def _allowed(action: str, endpoint: str, world, spares) -> bool:
    """Forms acting on the fuzzing users themselves, or on the world's areas, are left out
    (their copies for the spare user and spare village are posted)."""
    if endpoint in NEVER:
        return False
    path = urlsplit(action).path
    if endpoint.startswith("users.") and endpoint != "users.new":
        return path.startswith(f"/users/{spares['user'].id}/")
    if endpoint.startswith("areas.") and path.startswith("/areas/") and path[7:8].isdigit():
        return path.startswith(f"/areas/{spares['area'].id}/")
    return True


def _collect_forms(app, world, spares, clients) -> tuple[list[FoundForm], list[FoundForm]]:
    """Open every GET page of the world as someone its policy lets in, and keep its forms (those
    that post, and the search and filter forms that send a GET)."""
    found: dict[tuple[str, tuple[str, ...]], FoundForm] = {}
    searches: dict[tuple[str, tuple[str, ...]], FoundForm] = {}
    pages: list[tuple[str, object]] = []
    for route in routes(app, world):
        if route.method == "GET" and "<" not in route.url:
            pages.append((route.url, user_for(route, world)))
    # The spare user's and the spare village's pages, for their forms.
    pages.append((f"/users/{spares['user'].id}", world.town))
    pages.append(("/areas/", world.district))
    pages.append((f"/areas/{spares['area'].id}", world.district))
    for url, user in pages:
        client = clients[getattr(user, "username", None)]
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.mimetype != "text/html" or response.status_code != 200:
            response.close()
            continue
        html = response.get_data(as_text=True)
        for action, sent in _parse_forms(url, html, "get"):  # search and filter forms
            key = (urlsplit(action).path, tuple(sorted({name for name, _v in sent})))
            role = getattr(user, "username", None) or ""
            searches.setdefault(key, FoundForm(action, "GET", role, tuple(sent), url))
        for action, sent in _parse_forms(url, html):
            endpoint = _endpoint(app, action)
            if endpoint is None or not _allowed(action, endpoint, world, spares):
                continue
            role = getattr(user, "username", None) or ""
            key = (action, tuple(sorted({name for name, _v in sent})))
            found.setdefault(key, FoundForm(action, endpoint, role, tuple(sent), url))
    # Destructive forms last: archiving the elder or closing a record first would turn the other
    # forms' answers into refusals before their fields were tried.
    last = ("archive", "void", "status", "close", "end", "disable", "submit", "restore")
    forms = sorted(found.values(), key=lambda f: any(w in f.endpoint for w in last))
    return forms, list(searches.values())


def _fuzz_values(sent: tuple[tuple[str, str], ...], name: str, value: str) -> MultiDict:
    data = MultiDict([(n, v) for n, v in sent if n != name])
    data.add(name, value)
    return data


STATUSES: Counter[int] = Counter()


def _check(response, what: object, failures: list[str], errors: list[str]) -> None:
    STATUSES[response.status_code] += 1
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}: {errors[-1] if errors else ''}")
    errors.clear()
    response.close()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_bad_values_in_every_field_of_every_form_answer_no_500(app, world, spares, areas):
    started = time.monotonic()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failure answers 500, as in production
    errors: list[str] = []

    def remember(_sender, exception, **_extra) -> None:
        errors.append(f"{type(exception).__name__}: {str(exception)[:200]}")

    got_request_exception.connect(remember, app)
    timing: dict[str, float] = {}
    users = {None: None, world.cadre.username: world.cadre, world.town.username: world.town,
             world.district.username: world.district}  # fmt: skip
    clients: dict[str | None, FlaskClient] = {
        name: (log_in(app, user) if user is not None else app.test_client())
        for name, user in users.items()
    }
    forms, searches = _collect_forms(app, world, spares, clients)
    endpoints = {form.endpoint for form in forms}
    assert len(endpoints) >= 40, sorted(endpoints)  # the walk found the app's forms

    failures: list[str] = []
    tried = 0
    for form in forms:
        client = clients[form.role or None]
        names = [n for n in dict.fromkeys(n for n, _v in form.fields) if n != "csrf_token"]
        fields = form.fields
        for name in names:
            for label, value in BAD_VALUES.items():
                began = time.monotonic()
                response = client.post(form.action, data=_fuzz_values(fields, name, value))
                timing[form.endpoint] = timing.get(form.endpoint, 0) + time.monotonic() - began
                tried += 1
                status = response.status_code
                _check(response, (form.endpoint, form.action, name, label), failures, errors)
                if status in (302, 409):  # saved (or saved meanwhile): the next try needs the
                    fields = form.refreshed(client)  # record's new version

    # Search and filter forms: every field bad at once, each kind of bad value in turn.
    for form in searches:
        client = clients[form.role or None]
        names = {name for name, _v in form.fields}
        for label, value in BAD_VALUES.items():
            query = urlencode([(name, value) for name in sorted(names)])
            url = f"{urlsplit(form.action).path}?{query}"
            _check(client.get(url), ("GET", url[:80], label), failures, errors)
            tried += 1

    # POST routes no page showed a form for: the usual field names, each bad value.
    covered = endpoints | NEVER
    for route in _posts(app, world):
        if route.endpoint in covered or route.endpoint.startswith(("users.", "areas.")):
            continue
        client = clients[getattr(user_for(route, world), "username", None)]
        for label, value in BAD_VALUES.items():
            data = {"version": value, "note": value, "reason": value, "id": value}
            _check(client.post(route.url, data=data), (route.endpoint, route.url, label), failures,
                   errors)  # fmt: skip
            tried += 1

    slowest = sorted(timing.items(), key=lambda item: -item[1])[:12]
    print("slowest:", [(e, round(t, 1)) for e, t in slowest])
    assert not failures, "\n".join(failures)
    _pages_still_work(app, world, clients)
    elapsed = time.monotonic() - started
    print("answers:", dict(STATUSES))
    print(f"fuzz: {tried} posts, {len(forms)} forms, {len(endpoints)} endpoints, {elapsed:.0f} s")


def _posts(app, world) -> Iterator[Route]:
    return (route for route in routes(app, world) if route.method == "POST")


def _pages_still_work(app, world, clients) -> None:
    """Whatever the bad values saved: the world's pages open and its forms print."""
    db.session.expire_all()
    cadre = clients[world.cadre.username]
    town = clients[world.town.username]
    pages = [
        f"/elders/{world.elder.id}",
        f"/elders/{world.elder.id}/edit",
        f"/elders/{world.elder.id}/history",
        f"/elders/{world.elder.id}/visits/new",
        f"/visits/{world.visit.id}",
        f"/visits/{world.visit.id}/edit",
        f"/care/{world.care.id}/edit",
        f"/referrals/{world.referral.id}",
        f"/risks/{world.risk.id}",
        f"/campaigns/{world.campaign.id}",
        "/elders/",
        "/visits/due",
        "/",
        f"/elders/{world.elder.id}/annex2.pdf",
        f"/elders/{world.elder.id}/annex2.docx",
        f"/visits/{world.visit.id}/annex3.pdf",
        f"/visits/{world.visit.id}/annex3.docx",
    ]
    broken = []
    for client in (cadre, town):
        for url in pages:
            response = client.get(url)
            if response.status_code >= 500:
                broken.append(f"{response.status_code} {url}")
            response.close()
    assert not broken, broken


# --- the causes, one by one (each answered 500 before; PostgreSQL refuses NUL in text) ---------


def test_control_characters_are_refused_beside_the_field_and_the_input_kept(client, make_user,
                                                                             login_as):  # fmt: skip
    user = make_user("village", full_name="王芳")
    login_as(user)
    response = client.post("/account", data={"full_name": "王\x00芳\x1b", "phone": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="full_name-error">此项含有不可见的控制字符，请删除后再保存。' in page
    assert "王\x00芳" in page or "王\ufffd芳" in page  # what was typed is still in the box
    db.session.expire_all()
    assert db.session.get(type(user), user.id).full_name == "王芳"


def test_line_breaks_and_tabs_are_not_control_characters(client, make_user, login_as, world):
    login_as(world.cadre)
    url = f"/visits/{world.visit.id}/edit"
    (action, sent), *_ = [
        (a, s) for a, s in _parse_forms(url, client.get(url).get_data(as_text=True)) if a == url
    ]
    data = _fuzz_values(tuple(sent), "needs_note", "第一行\r\n\t第二行")
    response = client.post(action, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(world.visit), world.visit.id).needs_note == "第一行\n\t第二行"


def test_a_choice_of_spaces_is_no_choice(app, world, spares):
    """``Optional()`` let whitespace past the check of the choices: the service got "  " for a
    kind of area (ValueError, a 500)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    district = log_in(app, world.district)
    village = spares["area"]
    response = district.post(f"/areas/{village.id}/edit",
                             data={"edit-name": "备用新村", "edit-kind": " \t\u3000 ",
                                   "edit-code": "", "edit-submit": "1"})  # fmt: skip
    assert response.status_code < 500
    db.session.expire_all()
    assert db.session.get(type(village), village.id).kind.value == "village"


@pytest.mark.parametrize(
    ("number", "amount", "message"),
    [
        ("99999999999999999999999", "1", "This number is too large."),
        ("2147483648", "1", "This number is too large."),
        ("1", "1e308", "This number is too large."),
        ("1", "Infinity", "Not a valid decimal value."),
        ("1", "-NaN", "Not a valid decimal value."),
    ],
)
def test_numbers_must_fit_their_column(app, number, amount, message):
    """Integers are 32-bit on PostgreSQL and money is Numeric(12, 2): larger values are refused
    beside the field, whatever validators the form itself has."""
    from wtforms import DecimalField, IntegerField

    from caseman.forms import BaseForm

    class Form(BaseForm):
        class Meta:
            csrf = False

        count = IntegerField()
        money = DecimalField()

    with app.test_request_context(method="POST", data={"count": number, "money": amount},
                                  headers={"Accept-Language": "en"}):  # fmt: skip
        form = Form()
        assert not form.validate()
        errors = form.count.errors + form.money.errors
        assert [str(error) for error in errors] == [message]


HUGE = "99999999999999999999"
QUERY = {"village": HUGE, "town": HUGE, "area": HUGE, "elder": HUGE, "visitor": HUGE,
         "page": HUGE, "version": HUGE}  # fmt: skip


def test_huge_ids_in_urls_and_queries_answer_no_500(app, world):
    """Ids are 32-bit on PostgreSQL (64 on SQLite): ``/visits/99999999999999999999`` or
    ``?area=99999999999999999999`` failed in the database: pages with an id answered 500."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    clients: dict[str | None, FlaskClient] = {}
    failures = []
    for route in routes(app, world):
        user = user_for(route, world)
        key = getattr(user, "username", None)
        if key not in clients:
            clients[key] = log_in(app, user) if user is not None else app.test_client()
        if route.endpoint in NEVER:
            continue
        huge = re.sub(r"/\d+(?=/|$|\.)", f"/{HUGE}", route.url)
        tries = [huge]
        if route.method == "GET":
            tries.append(f"{route.url}{'&' if '?' in route.url else '?'}{urlencode(QUERY)}")
        for url in tries:
            if route.method == "GET":
                response = clients[key].get(url)
            else:
                response = clients[key].post(url, data={"version": HUGE, "elder_id": HUGE})
            if response.status_code >= 500:
                failures.append((route.endpoint, url))
            response.close()
    assert not failures, failures
    assert clients[world.cadre.username].get(f"/elders/{HUGE}").status_code == 404


def test_control_characters_in_a_search_are_dropped(app, world):
    """A NUL in the search words failed in the database (SQLite's MATCH: unterminated string;
    PostgreSQL refuses NUL in text)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    cadre = log_in(app, world.cadre)
    name = world.elder.name
    response = cadre.get("/elders/?" + urlencode({"q": f"{name[0]}\x00{name[1:]}\x1b"}))
    assert response.status_code == 200
    assert name in response.get_data(as_text=True)
    town = log_in(app, world.town)
    assert town.get("/users/?" + urlencode({"q": "王\x00芳"})).status_code == 200
