"""Export every record of the user's scope: elders, family, visits, care, referrals, risks.

One .xlsx with a sheet per table, or one CSV per table in a .zip; both with a data dictionary.
Rows are streamed (openpyxl write-only, yield_per) so memory stays bounded. ID numbers and
phones (and the disability certificate numbers, which carry the ID number) are full only for
district and town staff (as on the ledger), masked for everyone else.
Every cell is text or a number, never a formula: xlsx cells are typed as strings, and CSV cells
that a spreadsheet would read as a formula (= + - @) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

from caseman.auth.models import Role, User
from caseman.elders.models import Elder, ElderCategory, FamilyMember
from caseman.extensions import db
from caseman.referrals.models import FollowUp, Referral, Risk
from caseman.rules.masking import mask_certificate_number, mask_id_number, mask_phone
from caseman.scope import elder_filter
from caseman.spreadsheets import csv_text, set_text
from caseman.visits.models import CareRecord, Visit

FULL_ID_ROLES = (Role.DISTRICT, Role.TOWN)

# Sheet / file name → model, in the order of the case file.
TABLES: dict[str, Any] = {
    "elders": Elder,
    "elder_categories": ElderCategory,
    "family_members": FamilyMember,
    "visits": Visit,
    "care_records": CareRecord,
    "referrals": Referral,
    "risks": Risk,
    "follow_ups": FollowUp,
}
TABLE_TITLES = {
    "elders": "老年人（附件2 一、三、四）", "elder_categories": "对象类别",
    "family_members": "家庭成员（附件2 二）", "visits": "探访记录（附件3 一）",
    "care_records": "关爱服务记录（附件3 二）", "referrals": "转介", "risks": "风险隐患",
    "follow_ups": "跟踪回访",
}  # fmt: skip
DICTIONARY = "data_dictionary"
# What the columns mean (the 附件2/附件3 wording where there is one); others speak for themselves.
DESCRIPTIONS = {
    "id": "编号", "elder_id": "老年人编号", "name": "姓名", "gender": "性别 (male 男 / female 女)",
    "id_number": "居民身份证号码", "birth_on": "出生日期", "phone": "联系电话",
    "emergency_name": "紧急联系人", "emergency_phone": "紧急联系人电话",
    "household_area_id": "户籍地址（区域）", "household_address": "户籍地址",
    "residence_area_id": "居住地址（村/社区）", "residence_address": "居住地址",
    "ability_level": "能力程度", "medical_history": "曾患病史", "monthly_income": "月可支配收入",
    "income_sources": "经济来源", "disability_certificate_no": "残疾证号",
    "disability_grade": "残疾等级", "is_key": "重点对象 (1) / 一般对象 (0)",
    "category": "对象类别", "relation": "与户主关系", "health": "健康状况", "filed_on": "建档日期",
    "responsible_person": "责任人", "responsible_phone": "责任人电话",
    "archived_on": "归档日期", "archive_reason": "归档原因", "number": "第N次",
    "visited_on": "探访日期", "method": "探访方式", "status": "状态", "version": "版本",
    "created_at": "创建时间 (UTC)", "updated_at": "修改时间 (UTC)", "voided_at": "作废时间 (UTC)",
}  # fmt: skip


def may_see_full_numbers(user: User) -> bool:
    return user.role in FULL_ID_ROLES


# Columns that are the site's own bookkeeping, not data: the key of kept case file bodies
# (caseman.casefile.cache), a random number.
NOT_EXPORTED = frozenset({"case_revision"})


def _columns(model: Any) -> list[sa.Column[Any]]:
    return [c for c in model.__table__.columns if c.name not in NOT_EXPORTED]


def _statement(user: User, name: str) -> sa.Select[Any]:
    model = TABLES[name]
    table = model.__table__
    columns = _columns(model)
    if model is Elder:
        return select(*columns).where(elder_filter(user)).order_by(table.c.id)
    in_scope = select(Elder.id).where(elder_filter(user))
    return select(*columns).where(table.c.elder_id.in_(in_scope)).order_by(table.c.id)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _maskers(user: User, columns: list[sa.Column[Any]]) -> list[Callable[[Any], Any]]:
    full = may_see_full_numbers(user)

    def keep(value: Any) -> Any:
        return value

    def masker(column: sa.Column[Any]) -> Callable[[Any], Any]:
        if full:
            return keep
        if column.name.endswith("id_number"):
            return mask_id_number
        if column.name == "disability_certificate_no":  # the ID number and two digits
            return mask_certificate_number
        if column.name.endswith("phone"):
            return lambda value: mask_phone(value) if value else value
        return keep

    return [masker(column) for column in columns]


def rows_of(user: User, name: str) -> Iterator[list[Any]]:
    """The rows of one table in the user's scope, plain and masked as the user may see them."""
    columns = _columns(TABLES[name])
    maskers = _maskers(user, columns)
    result = db.session.execute(_statement(user, name).execution_options(yield_per=1000))
    for row in result:
        yield [mask(_plain(value)) for mask, value in zip(maskers, row, strict=True)]


def count_elders(user: User) -> int:
    return db.session.scalar(select(sa.func.count()).select_from(Elder).where(elder_filter(user)))


def dictionary_rows(user: User) -> list[list[str]]:
    """表 · 字段 · 类型 · 说明 for every exported column."""
    rows = [["表", "表名", "字段", "类型", "说明"]]
    for name, model in TABLES.items():
        for column in _columns(model):
            note = column.comment or DESCRIPTIONS.get(column.name, "")
            if not may_see_full_numbers(user) and (
                column.name.endswith("id_number") or column.name.endswith("phone")
            ):
                note = (note + " 已脱敏").strip()
            if column.foreign_keys:
                target = next(iter(column.foreign_keys)).target_fullname
                note = (note + f" 关联 {target}").strip()
            rows.append([name, TABLE_TITLES[name], column.name, str(column.type), note])
    return rows


def _text_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    cell = WriteOnlyCell(sheet)
    set_text(cell, str(value))  # never a formula
    return cell


def write_xlsx(user: User, path: Path, progress: Callable[[int], None] | None = None) -> None:
    workbook = Workbook(write_only=True)
    for index, name in enumerate(TABLES, start=1):
        sheet = workbook.create_sheet(name)
        sheet.append([_text_cell(sheet, c.name) for c in _columns(TABLES[name])])
        for row in rows_of(user, name):
            sheet.append([_text_cell(sheet, value) for value in row])
        if progress:
            progress(index)
    sheet = workbook.create_sheet(DICTIONARY)
    for row in dictionary_rows(user):
        sheet.append([_text_cell(sheet, value) for value in row])
    workbook.save(path)


def _csv_safe(value: Any) -> Any:
    return csv_text(value) if isinstance(value, str) else value


def write_zip(user: User, path: Path, progress: Callable[[int], None] | None = None) -> None:
    """One UTF-8 (with BOM, so Excel reads Chinese) CSV per table and the data dictionary."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, name in enumerate([*TABLES, DICTIONARY], start=1):
            with archive.open(f"{name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                if name == DICTIONARY:
                    writer.writerows(dictionary_rows(user))
                else:
                    writer.writerow([c.name for c in _columns(TABLES[name])])
                    for row in rows_of(user, name):
                        writer.writerow([_csv_safe(value) for value in row])
                text.flush()
                text.detach()
            if progress and name != DICTIONARY:
                progress(index)
