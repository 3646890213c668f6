"""Issue 21 goal 3: the case file page made cheaper still shows everything, to the right people.

Case files of varied elders (many visits and care records, open and settled referrals and risks,
family with a duty and a contact, a visitor now and one before, a visit contact, a printed form
with a signed copy, a benefit application, a change awaiting the town, a transfer, a case merged
into another, an archived case, a bare registration) are opened as their town's staff: every
record is on the page, with its link. Staff of another town, and a worker not assigned, get 404.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import url_for

from caseman.approvals.models import ApprovalRequest
from caseman.benefits.services import apply_for_benefit
from caseman.documents.services import file_scan, number_document
from caseman.elders.merging import merge_elders
from caseman.elders.services import archive_elder, request_archive
from caseman.extensions import db
from caseman.family.services import add_entrustment, record_contact, set_duty
from caseman.forces.models import ServiceForce
from caseman.forces.services import set_visit_contact
from caseman.referrals.services import move_risk
from caseman.risk.services import override_risk_level
from caseman.rules.approvals import ApprovalState
from caseman.rules.benefits import BenefitKind
from caseman.rules.enums import (
    ArchiveReason,
    Category,
    IllnessChange,
    NeedType,
    Relation,
    Safety,
    Trend,
    VisitMethod,
)
from caseman.rules.family_duty import ContactMethod
from caseman.rules.referrals import ReferralStatus, RiskStatus
from caseman.rules.risk_level import RiskLevel
from caseman.rules.service_forces import ForceKind
from caseman.transfers.services import start_transfer
from caseman.visitors.services import assign_visitor, end_assignment
from caseman.visits.queries import CASE_FILE_ITEMS
from caseman.visits.services import new_submission_key, record_care, record_visit
from tests.conftest import TODAY, log_in
from tests.family.conftest import family_members
from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    add_referral,
    add_risk,
    cadre,
    other_town_user,
    town_user,
)
from tests.visits.conftest import care_values, visit_values

FILED = TODAY - timedelta(days=400)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _visit(actor, elder, days_ago, **overrides):
    values = visit_values(visited_on=TODAY - timedelta(days=days_ago), **overrides)
    return record_visit(actor, elder, values, new_submission_key(), TODAY)


@pytest.fixture
def cases(app, areas, make_user, make_elder, cadre, town_user, other_town_user, add_referral,  # noqa: F811
          add_risk, tmp_path):  # noqa: F811  # fmt: skip
    """The elders of 木耳镇 described above, and one of 古路镇."""
    worker = make_user("worker", "jingang", username="visitor1", full_name="赵探访")
    old_worker = make_user("worker", "jingang", username="visitor0", full_name="钱探访")
    rich = make_elder(name="孙桂兰", filed_on=FILED, members=family_members(),
                      categories={Category.LIVING_ALONE},
                      category_override_reason="测试", key_override_reason="测试")  # fmt: skip
    visits = [
        _visit(
            cadre,
            rich,
            3,
            gas_safety=Safety.UNSAFE,
            mood=Trend.WORSE,
            needs=[NeedType.MEDICAL.value],
            suggested_care="联系家庭医生上门",
        ),  # fmt: skip
        _visit(
            cadre,
            rich,
            9,
            method=VisitMethod.PHONE,
            illness=IllnessChange.SERIOUS,
            illness_name="肺炎",
        ),  # fmt: skip
    ]
    visits += [_visit(cadre, rich, 14 * k + 20) for k in range(CASE_FILE_ITEMS + 3)]
    cares = [
        record_care(
            cadre,
            rich,
            care_values(cared_on=TODAY - timedelta(days=days), what_was_done=f"上门送餐{days}"),
            new_submission_key(),
            TODAY,
        )  # fmt: skip
        for days in (1, 30)
    ]
    db.session.commit()
    open_referral = add_referral(rich, description="右腿术后需要康复训练")
    solved = add_referral(rich, need=NeedType.MEDICAL.value, description="血压需要随访")
    solved.status, solved.closed_on, solved.outcome = ReferralStatus.SOLVED, TODAY, "已签约家庭医生"
    open_risk = add_risk(rich, description="在厨房跌倒，右手擦伤")
    closed_risk = add_risk(rich, description="燃气软管老化")
    move_risk(cadre, closed_risk, RiskStatus.CLOSED, "已更换软管", TODAY, closed_risk.version)
    assign_visitor(town_user, [rich], old_worker, TODAY - timedelta(days=100), TODAY)
    db.session.flush()
    end_assignment(town_user, rich.assignments[0], TODAY - timedelta(days=50), "调岗", TODAY)
    assign_visitor(town_user, [rich], worker, TODAY - timedelta(days=40), TODAY)
    son, daughter = rich.members
    set_duty(cadre, rich, daughter, is_away=True, away_place="浙江省杭州市", rhythm=None,
             note="")  # fmt: skip
    record_contact(cadre, rich, son, contacted_on=TODAY - timedelta(days=70),
                   method=ContactMethod.PHONE, note="提醒常回家看看", today=TODAY)  # fmt: skip
    add_entrustment(cadre, rich, entrusting_name="李强", entrusting_relation=Relation.SON,
                    entrusted_name="王芳邻居", entrusted_is_organisation=False,
                    entrusted_phone="13800001111", starts_on=TODAY - timedelta(days=20),
                    ends_on=None, note="", filename="", content=b"", uploads=None,
                    today=TODAY)  # fmt: skip
    apply_for_benefit(cadre, rich, kind=BenefitKind.OTHER, other_name="高龄津贴补发",
                      applied_on=TODAY - timedelta(days=5), note="", today=TODAY)  # fmt: skip
    force = ServiceForce(name="周网格", kind=ForceKind.GRID_WORKER, phone="13811112222",
                         area_id=areas["jingang"].id, organisation="", note="",
                         archive_reason="")  # fmt: skip
    db.session.add(force)
    db.session.flush()
    set_visit_contact(town_user, rich, force, "住在隔壁")
    override_risk_level(town_user, rich, RiskLevel.HIGH, "近期独自外出走失过一次")
    printed = number_document(town_user, rich, "annex2", 2, TODAY, elder_version=rich.version)
    scan = file_scan(town_user, printed, 1, "signed.pdf", PDF, tmp_path)
    db.session.commit()

    waiting = make_elder(name="周玉珍", filed_on=FILED, area="baiyan")
    baiyan_cadre = make_user("village", "baiyan", username="baiyan_cadre")
    request_archive(baiyan_cadre, waiting, ArchiveReason.DECEASED, TODAY, "病故", TODAY,
                    waiting.version)  # fmt: skip
    db.session.commit()
    approval = db.session.scalar(
        db.select(ApprovalRequest).where(
            ApprovalRequest.elder_id == waiting.id, ApprovalRequest.state == ApprovalState.PENDING
        )
    )
    transfer = start_transfer(town_user, waiting, areas["caoping"], "草坪村5组8号", "随女儿迁居")

    kept = make_elder(name="吴秀英", filed_on=FILED)
    kept_visit = _visit(cadre, kept, 2)
    duplicate = make_elder(name="吴秀瑛", filed_on=FILED)
    merged_visit = _visit(cadre, duplicate, 5)
    db.session.commit()
    merge_elders(town_user, duplicate, kept, "同一人", TODAY, duplicate.version)

    archived = make_elder(name="郑淑珍", filed_on=FILED)
    _visit(cadre, archived, 10)
    db.session.flush()
    archive_elder(town_user, archived, ArchiveReason.MOVED_AWAY, TODAY, "随子女迁往外地", TODAY,
                  archived.version)  # fmt: skip

    bare = make_elder(name="冯桂芳", filed_on=TODAY, categories=set(),
                      category_override_reason="测试", key_override_reason="测试",
                      is_key=False)  # fmt: skip
    elsewhere = make_elder(name="陈淑华", area="caoping", filed_on=FILED)
    db.session.commit()
    return SimpleNamespace(**locals())


def _page(client, elder):
    response = client.get(f"/elders/{elder.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _links(page, prefix):
    return set(re.findall(rf'href="({re.escape(prefix)}[^"#?]*)', page))


def test_the_case_file_shows_every_record_of_a_busy_case(app, client, cases):
    c = cases
    log_in(client, c.town_user)
    page = _page(client, c.rich)
    with app.test_request_context():
        visits_newest_first = sorted(c.visits, key=lambda v: v.visited_on, reverse=True)
        # The latest 20 items: both care records (1 and 30 days ago) and 18 visits.
        shown = visits_newest_first[: CASE_FILE_ITEMS - 2]
        hidden = visits_newest_first[CASE_FILE_ITEMS - 2 :]
        for visit in shown:
            assert f'href="{url_for("visits.show", visit_id=visit.id)}"' in page
        for visit in hidden:
            assert f'href="{url_for("visits.show", visit_id=visit.id)}"' not in page
        for care in c.cares:
            assert f'href="{url_for("visits.show_care", care_id=care.id)}"' in page
            assert care.what_was_done in page
        for record in (c.open_referral, c.solved):
            assert f'href="{url_for("referrals.show_referral", referral_id=record.id)}"' in page
        for record in (c.open_risk, c.closed_risk):
            assert f'href="{url_for("referrals.show_risk", risk_id=record.id)}"' in page
        assert url_for("documents.scan", scan_id=c.scan.id) in page
        assert url_for("documents.upload_scan", number=c.printed.copy_number(2)) in page
        assert url_for("risk.override", elder_id=c.rich.id) in page
        assert url_for("forces.contact", elder_id=c.rich.id) in page
        for version in c.rich.versions:
            assert url_for("elders.version", elder_id=c.rich.id, number=version.number) in page
        assert url_for("visitors.end", elder_id=c.rich.id,
                       assignment_id=c.rich.assignments[1].id) in page  # fmt: skip
    # What each record says, not only its link.
    for text in ("联系家庭医生上门", "肺炎", "右腿术后需要康复训练", "在厨房跌倒", "已签约家庭医生",
                 "王芳邻居", "已更换软管", "李强", "李梅", "高龄津贴补发", "周网格", "住在隔壁",
                 "近期独自外出走失过一次", "赵探访", "钱探访", "调岗", c.printed.number,
                 "孙桂兰", "3组45号", "高血压", "王芳"):  # fmt: skip
        assert text in page, text
    assert f"仅显示最近 {CASE_FILE_ITEMS} 条（共 {len(c.visits) + len(c.cares)} 条）" in page
    assert "138****5678" in page  # masked by default
    assert "13812345678" not in page


def test_the_case_file_shows_waiting_changes_transfers_merges_and_archives(app, client, cases):
    c = cases
    log_in(client, c.town_user)
    with app.test_request_context():
        waiting = _page(client, c.waiting)
        assert url_for("approvals.show", request_id=c.approval.id) in waiting
        assert c.approval.state is ApprovalState.PENDING
        assert url_for("transfers.show", transfer_id=c.transfer.id) in waiting

        kept = _page(client, c.kept)
        assert url_for("elders.show", elder_id=c.duplicate.id) in kept
        for visit in (c.kept_visit, c.merged_visit):
            assert url_for("visits.show", visit_id=visit.id) in kept
        duplicate = _page(client, c.duplicate)
        assert url_for("elders.show", elder_id=c.kept.id) in duplicate

        archived = _page(client, c.archived)
        assert "随子女迁往外地" in archived
        assert url_for("elders.restore", elder_id=c.archived.id) in archived
        assert url_for("visits.new", elder_id=c.archived.id) not in archived

        bare = _page(client, c.bare)
        assert "冯桂芳" in bare
        assert _links(bare, "/visits/") <= {url_for("visits.due")}


def test_every_case_file_view_is_audited_and_scope_still_answers_404(app, client, cases):
    from sqlalchemy import func, select

    from caseman.audit import AuditEvent

    c = cases
    log_in(client, c.town_user)
    elders = (c.rich, c.waiting, c.kept, c.duplicate, c.archived, c.bare)
    before = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "view"))
    for elder in elders:
        _page(client, elder)
    db.session.expire_all()
    views = db.session.scalars(
        select(AuditEvent.elder_id).where(AuditEvent.action == "view").order_by(AuditEvent.id)
    ).all()
    assert len(views) == before + len(elders)
    assert views[-len(elders) :] == [e.id for e in elders]
    assert client.get(f"/elders/{c.elsewhere.id}").status_code == 404

    client.post("/logout")
    log_in(client, c.other_town_user)
    for elder in elders:
        response = client.get(f"/elders/{elder.id}")
        assert response.status_code == 404
        assert elder.name not in response.get_data(as_text=True)
    assert _page(client, c.elsewhere)

    client.post("/logout")
    log_in(client, c.worker)  # of 金刚村: its elders, none of 白岩村 or 古路镇
    assert "孙桂兰" in _page(client, c.rich)
    for elder in (c.waiting, c.elsewhere):
        assert client.get(f"/elders/{elder.id}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"), [("get", ""), ("post", "/reveal"), ("get", "/history")]
)
def test_the_audit_row_is_written_after_the_page_is_read(app, client, cases, method, path):
    """On SQLite a reading request takes the write lock at its first write: the view's audit row,
    written before the page's queries, held it through the whole page and queued every other
    request's write behind it. It is written last, and still with the request."""
    from sqlalchemy import event

    c = cases
    log_in(client, c.town_user)
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):  # noqa: ANN001 - the event's signature
        statements.append(statement.lstrip()[:30].upper())

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = getattr(client, method)(f"/elders/{c.rich.id}{path}")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    writes = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO AUDIT_EVENTS")]
    reads = [i for i, s in enumerate(statements) if s.startswith("SELECT")]
    assert len(writes) == 1
    assert writes[0] > reads[-1]


def test_the_logged_in_user_is_read_once_a_request(app, client, cases):
    """Loading the user ran a scoped statement whose hook asked for the user being loaded."""
    from sqlalchemy import event

    c = cases
    log_in(client, c.town_user)
    reads: list[object] = []

    def remember(_conn, _cursor, statement, parameters, *_args):  # noqa: ANN001 - the event's
        if statement.lstrip().startswith("SELECT users.") and "users.id = " in statement:
            reads.append(parameters)

    user_id, elder_id = c.town_user.id, c.bare.id
    db.session.expunge_all()  # as in a served request: nothing loaded yet
    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(f"/elders/{elder_id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    own = [p for p in reads if list(p.values() if isinstance(p, dict) else p) == [user_id]]
    assert len(own) == 1


def test_the_timeline_counts_and_the_period_record_match_the_plain_queries(app, cases):
    """The case file reads visits and care with their counts in one statement each, and takes the
    home visits of its six-month record from them when they hold every one of that window."""
    from flask_login import login_user

    from caseman.casefile.queries import case_timeline
    from caseman.visits.queries import compliance_of, count_timeline, timeline

    c = cases
    with app.test_request_context("/"):
        login_user(c.town_user)
        assert len(case_timeline(c.rich, CASE_FILE_ITEMS).items) == CASE_FILE_ITEMS
        for elder in (c.rich, c.kept, c.duplicate, c.archived, c.bare, c.waiting):
            for limit in (CASE_FILE_ITEMS, 3, 1):
                read = case_timeline(elder, limit)
                assert read.items == timeline(elder, limit)
                assert read.total == count_timeline(elder)
                listed = compliance_of(elder, TODAY, listed=read.home_visit_dates)
                assert listed == compliance_of(elder, TODAY)
        # Three visits read, the oldest 20 days ago: the window's older visits are not among
        # them, so the database is asked.
        read = case_timeline(c.rich, 3)
        assert read.home_visit_dates(TODAY - timedelta(days=180), TODAY) is None
        assert read.home_visit_dates(TODAY - timedelta(days=10), TODAY) == [
            TODAY - timedelta(days=3)  # the phone call 9 days ago does not count
        ]


# Statements of the busy case file as a served request runs them (nothing loaded beforehand):
# 38 before issue 21 goal 3 (the user twice, the areas one at a time, a count of the timeline,
# the care records of the visits, the home visits of the last six months), 34 now (one reads
# the key of the kept body, caseman.casefile.cache: the elder's revision and the generation),
# 30 since the user's area comes with the user and the versions with who made them (one more
# asks which kinds of record the elder has, casefile.presence; this case has every kind).
MOST_STATEMENTS = 30
# The same page again, its body kept: BEGIN, the user, the user's area and its subtree, the
# key, the audit row.
MOST_STATEMENTS_KEPT = 7


def _served(client, path, *, fresh=True):
    """The response to ``path`` and the statements it ran; ``fresh``: as a served request runs
    them (nothing loaded beforehand)."""
    from sqlalchemy import event

    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):  # noqa: ANN001 - the event's signature
        statements.append(statement)

    if fresh:
        db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    return response, statements


def test_the_busy_case_file_runs_few_statements(app, client, cases):
    c = cases
    log_in(client, c.town_user)
    path = f"/elders/{c.rich.id}"
    _response, statements = _served(client, path)
    selects = [s for s in statements if s.lstrip().startswith("SELECT")]
    assert not [s for s in selects if "count(" in s and "OVER" not in s]
    # The user's area, its subtree, the case's chain of areas, the visit contact's area.
    assert sum(1 for s in selects if "FROM areas" in s) <= 4
    assert len(statements) <= MOST_STATEMENTS, "\n".join(s[:60] for s in statements)

    _again, statements = _served(client, path, fresh=False)
    assert len(statements) <= MOST_STATEMENTS_KEPT, "\n".join(s[:60] for s in statements)


def test_the_presence_probe_tells_each_kind_as_a_count_of_its_rows_does(app, cases):
    """casefile.presence: one statement says which kinds of record an elder has at all; the page
    skips reading a kind only when that kind has no row for the elder."""
    from flask_login import login_user
    from sqlalchemy import func, select

    from caseman.casefile.presence import KINDS, kinds_present

    c = cases
    with app.test_request_context("/"):
        login_user(c.town_user)
        seen: set[str] = set()
        for elder in (c.rich, c.waiting, c.kept, c.duplicate, c.archived, c.bare, c.elsewhere):
            counted = set()
            for kind, (column, shown) in KINDS.items():
                rows = select(func.count()).select_from(column.table).where(column == elder.id)
                if shown is not None:
                    rows = rows.where(shown)
                if db.session.scalar(rows, execution_options={"caseman_unscoped": True}):
                    counted.add(kind)
            assert kinds_present(elder.id) == counted, elder.name
            seen |= counted
        # The cases above have rows of every kind, and the bare registration none.
        assert seen == set(KINDS)
        assert kinds_present(c.bare.id) == frozenset()


# A bare registration's case file (no referral, risk, care, form, visitor, transfer, request,
# family duty, entrustment, benefit, visit contact or merged case) reads none of those kinds: the
# probe answers for all of them in one statement.
MOST_STATEMENTS_BARE = 13


def test_a_bare_case_file_asks_once_for_what_it_lacks(app, client, cases):
    c = cases
    log_in(client, c.town_user)
    response, statements = _served(client, f"/elders/{c.bare.id}")
    page = response.get_data(as_text=True)
    for table in ("referrals", "risks", "care_records", "printed_documents", "elder_assignments",
                  "elder_merges", "approval_requests", "transfers", "visit_contacts",
                  "family_duties", "family_contacts", "care_entrustments",
                  "benefit_applications"):  # fmt: skip
        read = [s for s in statements if f"FROM {table}" in s and "EXISTS" not in s]
        assert not read, (table, "\n".join(s[:70] for s in statements))
    assert len(statements) <= MOST_STATEMENTS_BARE, "\n".join(s[:60] for s in statements)
    # Each section still says it has nothing.
    for text in ("尚未分配探访人员", "尚未打印表单", "尚未登记待遇申请"):
        assert text in page, text
