"""Issue 22 item 2: the case list, case file and case history live in caseman/casefile/, with the
URLs and endpoint names they had; the registry asks approvals through caseman.elders.hooks."""

from __future__ import annotations

from flask import url_for

from caseman.approvals import services as approvals
from caseman.elders import hooks
from caseman.elders.models import Elder
from caseman.elders.services import request_archive
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason
from tests.conftest import TODAY

PAGES = {
    ("elders.index", ()): "/elders/",
    ("elders.show", (("elder_id", 7),)): "/elders/7",
    ("elders.reveal", (("elder_id", 7),)): "/elders/7/reveal",
    ("elders.call", (("elder_id", 7), ("which", "phone"))): "/elders/7/call/phone",
    ("search.history", (("elder_id", 7),)): "/elders/7/history",
}


def test_the_case_file_pages_keep_their_urls_and_endpoints(app):
    with app.test_request_context():
        for (endpoint, params), url in PAGES.items():
            assert url_for(endpoint, **dict(params)) == url
            assert app.view_functions[endpoint].__module__ == "caseman.casefile.views"
        assert app.view_functions["elders.edit"].__module__ == "caseman.elders.views"


def test_the_app_plugs_approvals_into_the_registry(app):
    assert hooks.approvals.archive is approvals.request_archive
    assert hooks.approvals.registered is approvals.record_registration
    assert hooks.approvals.enabled is approvals.approvals_enabled


def test_unplugged_the_registry_archives_at_once(app, monkeypatch, make_user, make_elder):
    """Without approvals (as with CASEMAN_APPROVALS=off) a village's archive stands at once."""
    monkeypatch.setattr(hooks, "approvals", hooks.Approvals())
    village = make_user("village")
    elder = make_elder()
    on = TODAY
    waiting = request_archive(village, elder, ArchiveReason.DECEASED, on, "病故", TODAY,
                              elder.version)  # fmt: skip
    db.session.commit()
    assert waiting is None
    assert db.session.get(Elder, elder.id).archived_on == on
