"""Walk ``app.url_map``: every route, filled in with the ids of the test world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Flask

from caseman.extensions import db

# Rows a GET may add on purpose: the audit log (views of case files are recorded) and the
# register of printed forms (printing gives each form its document number, 渝北民〔2024〕24号
# asks for the signed copy to be filed back against it). Neither changes a case file.
RECORD_TABLES = {"audit_events", "printed_documents"}
# Columns that only key kept pages (caseman.casefile.cache): a form printed (a record) changes
# what the case file shows, so the elder's case revision moves with it.
CACHE_KEYS = {("elders", "case_revision")}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str
    policy: str


def _argument_values(world: SimpleNamespace) -> dict[str, list[object]]:
    return {
        "elder_id": [world.elder.id],
        "visit_id": [world.visit.id],
        "care_id": [world.care.id],
        "referral_id": [world.referral.id],
        "risk_id": [world.risk.id],
        "campaign_id": [world.campaign.id],
        "scan_id": [world.scan.id],
        "number": [1],
        "fmt": ["pdf", "docx"],
        "filename": ["css/app.css"],
        # Later features: a real area where one matters, an id or token that exists nowhere
        # (the answer is then 404, which must still carry the headers and refuse CSRF).
        "village_id": [world.cadre.area_id],
        "town_id": [world.town.area_id],
        "which": ["phone", "emergency"],
        "period_key": ["2026H1"],
        "kind": ["activities", "funds"],
        "token": ["no-such-upload"],
        "job_id": [987654],
        "submission_id": [987654],
        "member_id": [987654],
        "pairing_id": [987654],
        "paired_id": [987654],
        "entry_id": [987654],
        "record_id": [987654],
        "assignment_id": [987654],
        "transfer_id": [987654],
        "area_id": [world.town.area_id],
        "user_id": [world.cadre.id],
        "request_id": [_approval_id(world)],
        "force_id": [987654],
        "photo_id": [987654],
    }


def _approval_id(world: SimpleNamespace) -> int:
    """The approval request of the world's elder (its registration), else an id of nothing."""
    from caseman.approvals.models import ApprovalRequest

    found = db.session.scalar(
        sa.select(ApprovalRequest.id).where(ApprovalRequest.elder_id == world.elder.id).limit(1)
    )
    return found or 987654


def routes(app: Flask, world: SimpleNamespace) -> Iterator[Route]:
    """Every (rule, method) of the app, once per value of a format argument."""
    values = _argument_values(world)
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"no test value for {missing} of {rule.rule}: add one to routes.py"
        combinations: list[dict[str, object]] = [{}]
        for name in sorted(rule.arguments):
            combinations = [dict(c, **{name: v}) for c in combinations for v in values[name]]
        policy = getattr(app.view_functions[rule.endpoint], "access_policy", "")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for arguments in combinations:
                url = adapter.build(rule.endpoint, arguments, method=method)
                yield Route(rule.endpoint, method, url, policy)


def user_for(route: Route, world: SimpleNamespace) -> object | None:
    """Someone the route's policy lets in (None for public routes)."""
    if route.policy == "public":
        return None
    if route.policy.startswith("roles:"):
        roles = route.policy.removeprefix("roles:").split(",")
        for user in (world.cadre, world.town, world.district):
            if user.role.value in roles:
                return user
        raise AssertionError(f"no test user for {route.policy}")
    return world.cadre


def snapshot(skip: set[str] = RECORD_TABLES) -> dict[str, list[str]]:
    """Every row of every table (but ``skip``), to prove that a request changed nothing."""
    db.session.rollback()  # a fresh read: see what other connections committed
    return {
        table.name: sorted(
            repr(tuple(row))
            for row in db.session.execute(
                sa.select(*(c for c in table.c if (table.name, c.name) not in CACHE_KEYS))
            )
        )
        for table in db.metadata.sorted_tables
        if table.name not in skip
    }
