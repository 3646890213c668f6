"""Building a town's half-year package in the background and marking it submitted.

The package (004 三(五): 台账、附件2、附件3 报送至区民政局) is one .zip:

- ``台帐_<town>_<from>_<to>.xlsx``: 附件1 of the town for the half-year (caseman.ledger);
- ``附件2/<village>.pdf``: the registration in force on the last day covered, for every elder in the
  caseload that day, three copies each;
- ``附件3/<village>.pdf``: every visit record (not void) of the half-year with every care record
  answering it, and part 二 alone for the care records of the half-year that no visit printed
  carries (care given without a visit, or answering a visit outside the half-year), so every
  care record of the half-year is on a form; the district's copy (第1联) of each;
- ``manifest.csv``: one line per file and per form in it: file, elder id, elder, document number,
  sha256 of the file.

One PDF per annex and per village (not one per town): a town's half-year of visit records runs to
thousands of pages, the paper copies are filed by village (村（社区）存档), a village's file can be
reprinted or checked on its own, and the writer holds only one village's layout in memory at a time.

Services flush; the view commits. The handler commits the document numbers of a village before
laying it out (the progress commits go through the same session), as caseman.documents.batches does.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from caseman import audit, clock
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.db import utcnow
from caseman.documents.builders import annex2_for, annex3_for, care_sheet_for
from caseman.documents.layout import Document
from caseman.documents.pdf_writer import check_cjk_font, kept_workers, render_pdf_many
from caseman.documents.services import issue_documents, release_documents
from caseman.elders.models import Elder, ElderVersion
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.jobs.models import Job, JobStatus
from caseman.jobs.services import JobContext, handler, start_job
from caseman.ledger import file_name
from caseman.ledger.annex1 import LedgerMeta
from caseman.ledger.queries import approval_meta, build_rows, select_ledger, unit_name
from caseman.ledger.xlsx import ledger_xlsx
from caseman.rules.enums import N_
from caseman.rules.half_year import HalfYear
from caseman.scope import elder_filter
from caseman.spreadsheets import csv_text
from caseman.submissions.models import Submission, SubmissionEvent
from caseman.visits.models import CareRecord, Visit

KIND = "submission_package"
MANIFEST = "manifest.csv"
MANIFEST_HEADER = ("file", "elder_id", "elder", "document_number", "sha256")
CHINA = timedelta(hours=8)  # dates are China's; stored datetimes are naive UTC
NO_VILLAGE = "未分村"


def end_of_day_utc(day: date) -> datetime:
    """The naive UTC instant at which ``day`` ends in China (versions saved by then count)."""
    return datetime.combine(day + timedelta(days=1), time()) - CHINA


# --- starting and submitting ----------------------------------------------------------------------


def get_or_add_submission(actor: User, town: Area, period: HalfYear) -> Submission:
    submission = db.session.scalar(
        select(Submission).where(
            Submission.town_id == town.id,
            Submission.year == period.year,
            Submission.half == period.half,
        )
    )
    if submission is None:
        submission = Submission(town=town, year=period.year, half=period.half, created_by=actor,
                                summary={})  # fmt: skip
        db.session.add(submission)
        db.session.flush()
    return submission


def start_package(actor: User, town: Area, period: HalfYear, today: date) -> Job:
    """Queue the package of ``town`` for ``period`` (flush only; commit, then enqueue)."""
    if actor.role != Role.TOWN or town.level != AreaLevel.TOWN or actor.area_id != town.id:
        raise DomainError(None, N_("Only the town's own staff make its submission."))
    if today < period.starts_on:
        raise DomainError(None, N_("This half-year has not begun."))
    submission = get_or_add_submission(actor, town, period)
    if submission.is_submitted:
        raise DomainError(None, N_("This half-year was already submitted; its package is kept."))
    if submission.job is not None and not submission.job.status.finished:
        raise DomainError(None, N_("The package is already being made."))
    title = f"报送 · {town.name} · {period.year}年{'上' if period.half == 1 else '下'}半年"
    job = start_job(actor, KIND, title, {"submission_id": submission.id}, 0)
    submission.job = job
    db.session.flush()
    return job


def mark_submitted(actor: User, submission: Submission, today: date) -> None:
    """Record that the town sent its package to the district (flush only)."""
    if actor.role != Role.TOWN or actor.area_id != submission.town_id:
        raise DomainError(None, N_("Only the town's own staff make its submission."))
    if submission.is_submitted:
        raise DomainError(None, N_("This half-year was already submitted; its package is kept."))
    if not submission.period.may_submit(today):
        raise DomainError(
            None,
            N_("The package of this half-year can be submitted from %(day)s."),
            day=submission.period.opens_for_submission_on.isoformat(),
        )
    job = submission.job
    if not submission.is_built or job is None or job.status != JobStatus.DONE:
        raise DomainError(None, N_("Make the package first."))
    returned = submission.returned_at
    if returned is not None and (submission.built_at is None or submission.built_at <= returned):
        raise DomainError(None, N_("The district returned this package: make it again first."))
    submission.submitted_at = utcnow()
    submission.submitted_by = actor
    _event(submission, actor, "submitted", "")
    audit.record("submit", object_type="submission", object_id=submission.id,
                 detail=f"town={submission.town_id} period={submission.period.key} "
                 f"sha256={submission.summary.get('sha256', '')}", user=actor)  # fmt: skip
    db.session.flush()


def _event(submission: Submission, actor: User, action: str, note: str) -> None:
    db.session.add(
        SubmissionEvent(
            submission=submission,
            action=action,
            by_id=actor.id,
            note=note[:500],
            sha256=str(submission.summary.get("sha256", "")),
        )  # fmt: skip
    )


def _check_district(actor: User, submission: Submission) -> None:
    if actor.role != Role.DISTRICT or not actor.area.contains(submission.town):
        raise DomainError(None, N_("Only district staff accept or return a submission."))
    if submission.submitted_at is None or submission.is_accepted:
        raise DomainError(None, N_("Only a submitted package waiting for an answer can be "
                                   "accepted or returned."))  # fmt: skip


def return_submission(actor: User, submission: Submission, reason: str) -> None:
    """The district sends the package back with its reasons (flush only); the town makes it
    again and resubmits."""
    _check_district(actor, submission)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Say what the town must put right."))
    submission.returned_at = utcnow()
    submission.returned_by = actor
    submission.return_reason = reason[:500]
    submission.submitted_at = None
    submission.submitted_by = None
    _event(submission, actor, "returned", reason)
    audit.record("submission_return", object_type="submission", object_id=submission.id,
                 detail=f"town={submission.town_id} period={submission.period.key}",
                 user=actor)  # fmt: skip
    db.session.flush()


def accept_submission(actor: User, submission: Submission) -> None:
    """The district accepts the package as sent (flush only); it is final."""
    _check_district(actor, submission)
    submission.accepted_at = utcnow()
    submission.accepted_by = actor
    _event(submission, actor, "accepted", "")
    audit.record("submission_accept", object_type="submission", object_id=submission.id,
                 detail=f"town={submission.town_id} period={submission.period.key}",
                 user=actor)  # fmt: skip
    db.session.flush()


# --- what changed since the last submission -------------------------------------------------------


@dataclass
class Changes:
    """Elders added, archived and otherwise changed between two instants (registration versions)."""

    since: datetime | None
    until: datetime
    added: list[tuple[int, str]] = field(default_factory=list)
    archived: list[tuple[int, str]] = field(default_factory=list)
    changed: list[tuple[int, str]] = field(default_factory=list)
    visits: int = 0  # visit records (附件3) entered in the window, not voided
    cares: int = 0  # care records (附件3 part 二) entered in the window, not voided

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "archived": len(self.archived),
                "changed": len(self.changed), "visits": self.visits,
                "cares": self.cares}  # fmt: skip


def previous_accepted(
    submission_or_town: Submission | Area, before: HalfYear | None = None
) -> Submission | None:  # noqa: E501
    """The latest package of the town the district accepted, before ``before`` if given."""
    town_id = (
        submission_or_town.town_id
        if isinstance(submission_or_town, Submission)
        else submission_or_town.id
    )
    query = select(Submission).where(
        Submission.town_id == town_id, Submission.accepted_at.is_not(None)
    )
    candidates = db.session.scalars(query).all()
    if before is not None:
        candidates = [s for s in candidates if s.period < before]
    return max(candidates, key=lambda s: (s.year, s.half), default=None)


def changes_between(town: Area, since: datetime | None, until: datetime) -> Changes:
    """Registration versions saved in (``since``, ``until``] of elders living in ``town``.

    A ``created`` version makes the elder *added*, ``archived`` *archived*, any other (edited,
    reviewed, restored) *changed*; an elder added in the window is listed as added only.
    """
    in_town = select(Area.id).where(Area.path.startswith(town.path, autoescape=True))
    query = (
        select(ElderVersion.kind, Elder.id, Elder.name)
        .join(Elder, Elder.id == ElderVersion.elder_id)
        .where(Elder.residence_area_id.in_(in_town), ElderVersion.created_at <= until)
        .order_by(Elder.name, Elder.id)
    )
    if since is not None:
        query = query.where(ElderVersion.created_at > since)
    kinds: dict[int, set[str]] = defaultdict(set)
    names: dict[int, str] = {}
    for kind, elder_id, name in db.session.execute(query):
        kinds[elder_id].add(kind)
        names[elder_id] = name
    changes = Changes(since, until)
    for elder_id, found in kinds.items():
        entry = (elder_id, names[elder_id])
        if "created" in found:
            changes.added.append(entry)
        elif "archived" in found and "restored" not in found:
            changes.archived.append(entry)
        else:
            changes.changed.append(entry)
    for group in (changes.added, changes.archived, changes.changed):
        group.sort(key=lambda item: (item[1], item[0]))
    for model, counter in ((Visit, "visits"), (CareRecord, "cares")):
        count = (
            select(sa.func.count(model.id))
            .join(Elder, Elder.id == model.elder_id)
            .where(
                Elder.residence_area_id.in_(in_town),
                model.voided_at.is_(None),
                model.created_at <= until,
            )  # fmt: skip
        )
        if since is not None:
            count = count.where(model.created_at > since)
        setattr(changes, counter, db.session.scalar(count) or 0)
    return changes


def changes_for(submission: Submission, now: datetime) -> Changes | None:
    """What changed in the town since its last accepted package (as it was sent), up to this
    one's sending (or ``now`` while it is not sent); None when none was accepted before."""
    previous = previous_accepted(submission, before=submission.period)
    if previous is None or previous.submitted_at is None:
        return None
    return changes_between(submission.town, previous.submitted_at, submission.submitted_at or now)


# --- the package ----------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _in_force(elder: Elder, moment: datetime) -> ElderVersion | None:
    """The registration version in force at ``moment`` (the latest saved by then)."""
    return db.session.scalar(
        select(ElderVersion)
        .where(ElderVersion.elder_id == elder.id, ElderVersion.created_at <= moment)
        .order_by(ElderVersion.number.desc())
        .limit(1)
    )


def _visits_by_village(user: User, town: Area, start: date, end: date,
                       village_of: dict[int, str]) -> dict[str, list[int]]:  # fmt: skip
    in_town = select(Area.id).where(Area.path.startswith(town.path, autoescape=True))
    rows = db.session.execute(
        select(Visit.id, Elder.residence_area_id)
        .join(Elder, Elder.id == Visit.elder_id)
        .where(
            elder_filter(user),
            Elder.residence_area_id.in_(in_town),
            Visit.voided_at.is_(None),
            Visit.visited_on.between(start, end),
        )
        .order_by(Visit.visited_on, Elder.name, Visit.number)
    )
    found: dict[str, list[int]] = defaultdict(list)
    for visit_id, area_id in rows:
        found[village_of.get(area_id) or NO_VILLAGE].append(visit_id)
    return found


def _loose_cares_by_village(
    user: User, town: Area, start: date, end: date, village_of: dict[int, str]
) -> dict[str, dict[int, list[int]]]:
    """Care records of the period that no printed visit carries, by village and elder."""
    in_town = select(Area.id).where(Area.path.startswith(town.path, autoescape=True))
    rows = db.session.execute(
        select(CareRecord.id, CareRecord.elder_id, Elder.residence_area_id)
        .join(Elder, Elder.id == CareRecord.elder_id)
        .outerjoin(Visit, Visit.id == CareRecord.visit_id)
        .where(
            elder_filter(user),
            Elder.residence_area_id.in_(in_town),
            CareRecord.voided_at.is_(None),
            CareRecord.cared_on.between(start, end),
            CareRecord.visit_id.is_(None)
            | Visit.voided_at.is_not(None)
            | ~Visit.visited_on.between(start, end),
        )
        .order_by(Elder.name, CareRecord.elder_id, CareRecord.number)
    )
    found: dict[str, dict[int, list[int]]] = defaultdict(dict)
    for care_id, elder_id, area_id in rows:
        village = village_of.get(area_id) or NO_VILLAGE
        found[village].setdefault(elder_id, []).append(care_id)
    return found


@dataclass
class _Writer:
    """The zip being written and its manifest lines."""

    archive: zipfile.ZipFile
    manifest: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def add(self, name: str, data: bytes, forms: list[tuple[int, str, str]]) -> None:
        digest = _sha256(data)
        self.archive.writestr(name, data)
        if not forms:
            self.manifest.append((name, "", "", "", digest))
        for elder_id, elder_name, number in forms:
            self.manifest.append((name, str(elder_id), elder_name, number, digest))


def _manifest_csv(lines: list[tuple[str, str, str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    writer.writerows([csv_text(value) for value in line] for line in lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _forms_pdf(ctx: JobContext, writer: _Writer, name: str, documents: list[Document],
               forms: list[tuple[int, str, str]], done: int) -> int:  # fmt: skip
    db.session.commit()  # this village's reserved numbers, before the long layout
    data = render_pdf_many(documents, lambda k: ctx.progress(done + k))
    writer.add(name, data, forms)
    return done + len(documents)


def _safe(name: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|' else c for c in name) or NO_VILLAGE


@handler(KIND)
def build_package(ctx: JobContext) -> str:
    """The handler: ledger, 附件2 and 附件3 by village, manifest; updates the submission row.

    The forms' numbers are reserved as they are laid out and issued, with their ``print`` audit
    rows, only once the package is written: a package that fails leaves no printing behind
    (issue 23 item 6).
    """
    reserved: list[int] = []
    try:
        name = _build_package(ctx, reserved)
    except BaseException:
        db.session.rollback()
        release_documents(reserved)
        db.session.commit()
        raise
    issue_documents(ctx.user, reserved)
    return name


def _build_package(ctx: JobContext, reserved: list[int]) -> str:
    check_cjk_font()
    submission = db.session.get(Submission, int(ctx.params["submission_id"]))
    if submission is None:
        raise DomainError(None, N_("The submission no longer exists."))
    if submission.is_submitted:
        raise DomainError(None, N_("This half-year was already submitted; its package is kept."))
    user, town, period = ctx.user, submission.town, submission.period
    today = clock.today()
    end = period.covered_until(today)
    start = period.starts_on
    moment = end_of_day_utc(end)

    selection = select_ledger(user, town.id, end)
    if not selection.elders:
        raise DomainError(None, N_("There is nothing to print for this choice."))
    village_of = {area_id: place.village for area_id, place in selection.places.items()}
    elders_by_village: dict[str, list[int]] = defaultdict(list)
    for row in selection.elders:
        elders_by_village[village_of.get(row.residence_area_id) or NO_VILLAGE].append(row.id)
    visits_by_village = _visits_by_village(user, town, start, end, village_of)
    cares_by_village = _loose_cares_by_village(user, town, start, end, village_of)
    total = 1 + selection.total + sum(len(v) for v in visits_by_village.values())
    total += sum(len(v) for v in cares_by_village.values())
    ctx.progress(0, total, N_("Writing the ledger"))

    path: Path = ctx.output(".zip")
    # One pool of layout workers for all the villages: they keep the blanks they learn.
    with kept_workers(), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        writer = _Writer(archive)
        meta = LedgerMeta(unit_name(town), start, end, today)
        meta = replace(meta, **approval_meta(selection))  # 主要领导审核, the pending mark's note
        rows = build_rows(selection, start, end)
        writer.add(file_name(meta, "xlsx"), ledger_xlsx(rows, meta), [])
        done = 1
        ctx.progress(done, message=N_("Laying out the registration forms"))
        for village in sorted(elders_by_village):
            documents, forms = [], []
            for elder_id in elders_by_village[village]:
                elder = db.session.get(Elder, elder_id)
                assert elder is not None
                version = _in_force(elder, moment)
                document = (
                    annex2_for(
                        user,
                        elder,
                        today,
                        version.snapshot,
                        version.number,
                        district_copy=True,
                        reserve=True,
                    )  # fmt: skip
                    if version is not None
                    else annex2_for(user, elder, today, district_copy=True, reserve=True)
                )
                reserved.append(document.printed_id or 0)
                documents.append(document)
                forms.append((elder.id, elder.name, _number_of(document)))
            done = _forms_pdf(ctx, writer, f"附件2/{_safe(village)}.pdf", documents, forms, done)
        ctx.progress(done, message=N_("Laying out the visit records"))
        for village in sorted(set(visits_by_village) | set(cares_by_village)):
            documents, forms = [], []
            for visit_id in visits_by_village.get(village, []):
                visit = db.session.get(Visit, visit_id)
                assert visit is not None
                document = annex3_for(user, visit, today, district_copy=True, reserve=True)
                reserved.append(document.printed_id or 0)
                documents.append(document)
                forms.append((visit.elder_id, visit.elder.name, _number_of(document)))
            for elder_id, care_ids in cares_by_village.get(village, {}).items():
                elder = db.session.get(Elder, elder_id)
                assert elder is not None
                cares = [db.session.get(CareRecord, care_id) for care_id in care_ids]
                document = care_sheet_for(user, elder, cares, today, district_copy=True,  # type: ignore[arg-type]
                                          reserve=True)  # fmt: skip
                reserved.append(document.printed_id or 0)
                documents.append(document)
                forms.append((elder.id, elder.name, _number_of(document)))
            done = _forms_pdf(ctx, writer, f"附件3/{_safe(village)}.pdf", documents, forms, done)
        archive.writestr(MANIFEST, _manifest_csv(writer.manifest))

    submission = db.session.get(Submission, int(ctx.params["submission_id"]))
    assert submission is not None
    submission.built_at = utcnow()
    submission.covered_until = end
    submission.summary = _summary(writer.manifest, path, selection.total)
    audit.record("export", object_type="submission", object_id=submission.id,
                 detail=f"town={town.id} period={period.key} files={submission.summary['files']}",
                 user=user)  # fmt: skip
    return f"报送_{town.name}_{period.key}.zip"


def _number_of(document: Document) -> str:
    """The form's document number (``…-000123``) from its first sheet's copy number."""
    number = document.sheets[0].document_number or ""
    return number.rsplit("-", 1)[0] if number.count("-") >= 4 else number


def _summary(manifest: list[tuple[str, str, str, str, str]], path: Path,
             ledger_rows: int) -> dict[str, Any]:  # fmt: skip
    files = sorted({line[0] for line in manifest})
    return {
        "files": len(files) + 1,  # and the manifest
        "ledger_rows": ledger_rows,
        "annex2": sum(1 for line in manifest if line[0].startswith("附件2/")),
        "annex3": sum(1 for line in manifest if line[0].startswith("附件3/")),
        "sha256": _sha256(path.read_bytes()),
        "size": path.stat().st_size,
    }
