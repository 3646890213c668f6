"""From the database to a layout: which data each printed form takes (and its numbers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.documents.annex2 import COPIES as ANNEX2_COPIES
from caseman.documents.annex2 import Place, annex2_document
from caseman.documents.annex3 import COPIES as ANNEX3_COPIES
from caseman.documents.annex3 import annex3_document
from caseman.documents.layout import Document
from caseman.documents.models import PrintedDocument
from caseman.documents.services import area_parts, content_hash, number_document
from caseman.elders.models import Elder
from caseman.elders.services import snapshot
from caseman.extensions import db
from caseman.visits.models import CareRecord, Visit
from caseman.visits.services import CARE_FIELDS, VISIT_FIELDS, _snapshot


def _place(area_id: int | None, detail: str) -> Place:
    area = db.session.get(Area, area_id) if area_id else None
    district, town, village = area_parts(area)
    if area is not None and area.level.value == "group":
        detail = f"{area.name}{detail}"
    return Place(district, town, village, detail)


def _number(actor: User, elder: Elder, annex: str, copies: int, today: date, document: Document,
            reserve: bool = False, **where: Any) -> PrintedDocument:  # fmt: skip
    """Number a laid-out form by its content (a reprint of the same content keeps its number)
    and print the number, copy by copy, on its sheets (``reserve``: see number_document)."""
    printed = number_document(actor, elder, annex, copies, today, digest=content_hash(document),
                              reserve=reserve, **where)  # fmt: skip
    document.printed_id = printed.id
    for k, sheet in enumerate(document.sheets, start=1):
        sheet.document_number = printed.copy_number(k)
    return printed


def annex2_for(actor: User, elder: Elder, today: date, data: dict[str, Any] | None = None,
               version: int | None = None, *, district_copy: bool = False,
               reserve: bool = False) -> Document:  # fmt: skip
    """附件2 of the current registration, or of a saved version's snapshot.

    All three copies are numbered; ``district_copy`` lays out only the first (区民政局存档), the
    one a town's half-year submission sends to the district (004 三(五)). The number is the
    one this content already has, if it was printed before (the signed one first).
    """
    is_current = data is None
    data = data if data is not None else snapshot(elder)
    copies = ANNEX2_COPIES[:1] if district_copy else ANNEX2_COPIES
    document = annex2_document(
        data,
        _place(data.get("household_area_id"), data.get("household_address") or ""),
        _place(data.get("residence_area_id"), data.get("residence_address") or ""),
        [""] * len(copies),
        copies=copies,
        pending=is_current and _awaits_town(elder),
    )
    printed = _number(actor, elder, "annex2", len(ANNEX2_COPIES), today, document, reserve,
                      elder_version=version or _latest_version(elder))  # fmt: skip
    document.name = f"附件2_{elder.name}_{printed.number}"
    return document


def _awaits_town(elder: Elder) -> bool:
    """Whether a change of the registration still waits for the town's approval (issue 19)."""
    from caseman.approvals.queries import open_states

    return elder.id in open_states([elder.id])


def _latest_version(elder: Elder) -> int | None:
    return elder.versions[0].number if elder.versions else None


def _address(elder: Elder) -> str:
    return f"{elder.residence_area.full_name}{elder.residence_address}"


def care_data(cares: list[CareRecord]) -> list[dict[str, Any]]:
    """The care records printed in part 二 of 附件3: every one not voided, in their order."""
    kept = sorted((c for c in cares if not c.is_void), key=lambda c: (c.number, c.id))
    return [_snapshot(care, CARE_FIELDS) for care in kept]


def annex3_for(actor: User, visit: Visit, today: date, *, district_copy: bool = False,
               reserve: bool = False) -> Document:  # fmt: skip
    """附件3 of a visit, with every care record that answers it (part 二).

    ``district_copy``: only the first of the four numbered copies (区民政局存档), as in annex2_for.
    """
    elder = visit.elder
    copies = ANNEX3_COPIES[:1] if district_copy else ANNEX3_COPIES
    document = annex3_document(
        elder.name,
        _address(elder),
        _snapshot(visit, VISIT_FIELDS),
        care_data(visit.care_records),
        visit.number,
        [""] * len(copies),
        copies=copies,
    )
    printed = _number(actor, elder, "annex3", len(ANNEX3_COPIES), today, document, reserve,
                      visit_id=visit.id)  # fmt: skip
    document.name = f"附件3_{elder.name}_第{visit.number}次_{printed.number}"
    return document


def care_sheet_for(actor: User, elder: Elder, cares: list[CareRecord], today: date, *,
                   district_copy: bool = False, reserve: bool = False) -> Document:  # fmt: skip
    """附件3 part 二 for care records that no printed visit carries (care given without a
    visit, or answering a visit outside the period printed): numbered like a visit's 附件3."""
    copies = ANNEX3_COPIES[:1] if district_copy else ANNEX3_COPIES
    data = care_data(cares)
    document = annex3_document(
        elder.name, _address(elder), None, data, 0, [""] * len(copies), copies=copies,
        care_only=True,
    )  # fmt: skip
    printed = _number(actor, elder, "annex3", len(ANNEX3_COPIES), today, document, reserve)
    first = data[0]["number"] if data else ""
    document.name = f"附件3_{elder.name}_关爱第{first}次_{printed.number}"
    return document


def field_sheet_for(actor: User, elder: Elder, today: date, *, reserve: bool = False) -> Document:
    """A blank 附件3 for ``elder``, header filled, numbered with the visit number to come
    (``reserve``: a batch's number, issued once its file exists; see number_document)."""
    from sqlalchemy import func, select

    last = db.session.scalar(select(func.max(Visit.number)).where(Visit.elder_id == elder.id))
    document = annex3_document(
        elder.name,
        _address(elder),
        None,
        [],
        (last or 0) + 1,
        [""],
        copies=("探访现场记录（录入系统后归档）",),
    )
    _number(actor, elder, "field_sheet", 1, today, document, reserve)
    return document


def field_sheets_for(actor: User, elders: list[Elder], today: date, label: str) -> Document:
    """One blank 附件3 per elder (field_sheet_for), in one document."""
    sheets = []
    for elder in elders:
        sheets.extend(field_sheet_for(actor, elder, today).sheets)
    return Document(sheets, name=f"附件3_现场记录_{label}_{today.isoformat()}")
