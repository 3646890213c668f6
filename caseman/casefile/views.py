"""The case list, the case file and the case history pages (issue 22 item 2).

They keep the endpoint names they had before they moved here (``elders.index``, ``elders.show``,
``elders.reveal``, ``elders.call``, ``search.history``): templates, other packages and the audit
log's ``deny`` rows name them. So the pages are added to the registry's blueprint (the /elders/
URL space) and to search's, which caseman.create_app registers after importing this module.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from flask import abort, current_app, redirect, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from caseman import audit, clock
from caseman.access import login_required
from caseman.casefile import cache
from caseman.casefile.history import KINDS, list_history
from caseman.casefile.presence import kinds_present
from caseman.casefile.queries import ELDER_OPTIONS, case_timeline, load_area_chains
from caseman.documents.queries import list_printed
from caseman.elders import labels
from caseman.elders.merging import can_merge, get_kept, list_merged
from caseman.elders.models import Elder
from caseman.elders.queries import list_filter_areas
from caseman.elders.views import bp
from caseman.extensions import db
from caseman.family.views import family_summary
from caseman.forces.views import visit_contact_of
from caseman.referrals import labels as referral_labels
from caseman.referrals.queries import list_elder_referrals, list_elder_risks
from caseman.rules.referrals import problems_solved
from caseman.scope import elder_filter, get_elder_or_404
from caseman.search.elder_list import ElderFilters, list_elders
from caseman.search.queries import highlight, is_name_query, list_matches
from caseman.search.views import bp as search_bp
from caseman.visits import labels as visit_labels
from caseman.visits.queries import (
    CASE_FILE_ITEMS,
    CASE_FILE_MONTHS,
    compliance_of,
    last_home_visit_listed,
    status_of,
)
from caseman.visits.views import RECORDERS


def today() -> date:
    return clock.today()


@bp.get("/")
@login_required
def index() -> Any:
    args = request.args
    filters = ElderFilters.from_args(args)
    page_number = max(1, args.get("page", 1, type=int))
    page = list_elders(current_user, filters, page_number, current_app.config["PAGE_SIZE"])
    towns, villages = list_filter_areas(current_user)
    return render_template(
        "elders/index.html",
        page=page,
        filters=filters,
        towns=towns,
        villages=villages,
        labels=labels,
        matches=list_matches([e.id for e in page.items], filters.q) if filters.q else {},
        highlight=highlight if filters.q and is_name_query(filters.q) else None,
    )


@bp.get("/<int:elder_id>")
@login_required
def show(elder_id: int) -> Any:
    # The key of the kept body first (casefile.cache): the elder's revision and the generation,
    # in one light statement scoped as get_elder_or_404 is. A body rendered now is read after
    # them, so it is never older than its key.
    head = db.session.execute(
        select(Elder.id, Elder.name, Elder.case_revision, cache.generation_column()).where(
            Elder.id == elder_id, elder_filter(current_user)
        )
    ).first()
    if head is None:
        abort(404)
    pages = cache.page_cache()
    day = today()
    key = (elder_id, head.case_revision, head.case_file_generation, day, str(get_locale()),
           current_user.id)  # fmt: skip
    body = pages.get(key) if pages is not None else None
    if body is None:
        elder = get_elder_or_404(current_user, elder_id, *ELDER_OPTIONS)
        body = _body(elder, False, day)  # before the commit, which would expire what it reads
        if pages is not None:
            pages.put(key, body)
    page = _page(head.name, body)
    # Recorded once the page is made: added earlier, the audit row would be flushed by the page's
    # first query, and on SQLite that takes the write lock for the whole rendering (a GET holds
    # none until it writes; see caseman._sqlite_begin), so every other request's write queued
    # behind it. It still commits with the request, before the page is sent.
    audit.record("view", object_type="elder", object_id=elder_id, elder_id=elder_id)
    db.session.commit()
    return page


@bp.post("/<int:elder_id>/reveal")
@login_required
def reveal(elder_id: int) -> Any:
    """The case file with full ID and phone numbers (masked by default; see rules.masking)."""
    elder = get_elder_or_404(current_user, elder_id, *ELDER_OPTIONS)
    shown = "id_number phone"
    if elder.disability_certificate_no:  # it carries the ID number
        shown += " disability_certificate_no"
    page = _page(elder.name, _body(elder, True, today()))  # never kept
    audit.record(
        "reveal", object_type="elder", object_id=elder.id, elder_id=elder.id, detail=shown
    )  # fmt: skip (after the page: see show)
    db.session.commit()
    return page


CALLABLE = {"phone": "phone", "emergency": "emergency_phone"}


@bp.get("/<int:elder_id>/call/<which>")
@login_required
def call(elder_id: int, which: str) -> Any:
    """Tap to call (issue 17 item 15): the lists show the phone masked; this link hands the full
    number to the phone's dialer (``tel:``) and writes the reveal to the audit log."""
    elder = get_elder_or_404(current_user, elder_id)
    field = CALLABLE.get(which)
    number = re.sub(r"[^\d+]", "", getattr(elder, field) or "") if field else ""
    if not number:
        abort(404)
    audit.record("reveal", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=f"call {field}")  # fmt: skip
    db.session.commit()
    response = redirect(f"tel:{number}")
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(name: str, body: str) -> str:
    """The case file page around its body (the autoescaped output of elders/_show_body.html,
    kept or not); the CSRF token of its form is this session's."""
    html = Markup(cache.with_token(body, generate_csrf()))  # noqa: S704  # nosec B704
    return render_template("elders/show.html", name=name, body=html)


def _body(elder: Elder, reveal: bool, day: date) -> str:
    load_area_chains(elder.residence_area, elder.household_area)
    # The kinds of record the elder has at all: the others are not asked for (casefile.presence).
    has = kinds_present(elder.id)
    referrals = list_elder_referrals(elder) if "referrals" in has else []
    risks = list_elder_risks(elder) if "risks" in has else []
    own = case_timeline(elder, CASE_FILE_ITEMS, care="care" in has)
    items, total = list(own.items), own.total
    printed = list_printed(elder) if "printed" in has else []
    # Cases merged into this one (issue 20 item 4): their history is shown here too.
    merged = list_merged(current_user, elder) if "merged" in has else []
    if "assignments" not in has and "assignments" not in elder.__dict__:
        set_committed_value(elder, "assignments", [])  # the visitors section reads none
    for other in merged:
        referrals += list_elder_referrals(other)
        risks += list_elder_risks(other)
        theirs = case_timeline(other, CASE_FILE_ITEMS)
        items += theirs.items
        total += theirs.total
        printed += list_printed(other)
    if merged:
        items.sort(key=_when, reverse=True)
        items = items[:CASE_FILE_ITEMS]
    return render_template(
        "elders/_show_body.html",
        reveal=reveal,
        elder=elder,
        labels=labels,
        visit_labels=visit_labels,
        schedule=status_of(elder, day, last_home_visit_listed(items, day)),
        # Missed periods stay visible (issue 17 item 6); the home visits of the window are
        # usually among the visits just read.
        history=compliance_of(elder, day, listed=own.home_visit_dates),
        history_months=CASE_FILE_MONTHS,
        timeline=items,
        timeline_total=total,
        can_record=current_user.role.value in RECORDERS,
        referrals=referrals,
        risks=risks,
        # All the elder's referrals and risks are listed above: count from them (解决问题数量).
        solved=problems_solved([r.status for r in referrals], [r.status for r in risks]),
        referral_labels=referral_labels,
        printed=printed,
        merged=merged,
        kept=get_kept(current_user, elder) if elder.is_archived else None,
        can_merge=can_merge(current_user) and not elder.is_archived,
        csrf_token=lambda: cache.TOKEN_MARK,  # put in when sent: the body is kept
        **_sections_read(has),
    )


def _none(*_args: Any) -> list[Any]:
    return []


def _sections_read(has: frozenset[str]) -> dict[str, Any]:
    """The included sections' template globals, in place of those that would read a kind of row
    the elder has none of (a name given to render_template hides the global of that name)."""
    names: dict[str, Any] = {
        "family_summary": partial(
            family_summary,
            duties="family_duties" in has,
            contacts="family_contacts" in has,
            entrustments="entrustments" in has,
        ),
        "visit_contact_of": partial(visit_contact_of, has_contact="visit_contact" in has),
    }
    if "approvals" not in has:
        names["open_approvals"] = _none
    if "transfers" not in has:
        names["transfers_of"] = _none
    if "benefits" not in has:
        names["benefit_applications_of"] = _none
    return names


def _when(item: Any) -> tuple[date, int, int]:
    """Newest first across cases, as :func:`caseman.visits.queries.timeline` orders one case."""
    if hasattr(item, "visited_on"):
        return (item.visited_on, 0, item.number)
    return (item.cared_on, 1, item.number)


@search_bp.get("/elders/<int:elder_id>/history")
@login_required
def history(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    kinds = {k for k in request.args.getlist("kind") if k in KINDS}
    events = list_history(elder, kinds)
    page = render_template(
        "search/history.html",
        elder=elder,
        events=events,
        kinds=KINDS,
        selected=kinds,
        labels=labels,
        visit_labels=visit_labels,
        referral_labels=referral_labels,
    )
    # After the page (see show); before, the commit expired every row the page then read again.
    audit.record("view_history", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=",".join(sorted(kinds)))  # fmt: skip
    db.session.commit()
    return page
