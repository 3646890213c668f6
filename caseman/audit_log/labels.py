"""What an audit row says, in the reader's language: actions, roles, record types and details.

Rows store plain codes (``login_failed``, ``deny``, ``format=xlsx rows=3``,
``GET visits.show_care exists``); the page shows them as words. A code without a label shows
as a neutral "other" word rather than raw English; the raw text stays in the export and in the
row's tooltip.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

ACTION = {
    "login": _l("Logged in"),
    "login_failed": _l("Login failed"),
    "login_locked": _l("Login locked"),
    "logout": _l("Logged out"),
    "view": _l("Viewed"),
    "view_version": _l("Viewed an earlier version"),
    "view_scan": _l("Viewed a signed scan"),
    "view_history": _l("Viewed the case history"),
    "offline_pack": _l("Kept the visit pages for offline use"),
    "view_summary": _l("Viewed the case summary"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "status": _l("Changed the status"),
    "consent_refused": _l("Recorded a refusal to share details"),
    "confirm_not_duplicate": _l("Confirmed not the same person"),
    "merge": _l("Merged case files"),
    "follow_up": _l("Recorded a follow-up"),
    "acknowledge": _l("Acknowledged a report"),
    "void": _l("Voided"),
    "archive": _l("Archived"),
    "restore": _l("Restored"),
    "review": _l("Reviewed"),
    "print": _l("Printed"),
    "export": _l("Exported"),
    "download": _l("Downloaded"),
    "import": _l("Imported"),
    "reveal": _l("Showed full numbers"),
    "view_form": _l("Opened the registration form (full numbers)"),
    "duplicate_probe": _l("ID number found in another area"),
    "deny": _l("Access refused"),
    "system_access": _l("System access"),
    "audit_prune": _l("Removed old log entries"),
    "assign_visitor": _l("Assigned a visitor"),
    "end_visitor": _l("Ended a visitor's assignment"),
    "submit": _l("Submitted"),
    "submission_return": _l("Returned a submission to the town"),
    "submission_accept": _l("Accepted a submission"),
    "reopen": _l("Reopened"),
    "close": _l("Closed"),
    "backup": _l("Backed up"),
    "user_create": _l("Created a user"),
    "user_update": _l("Changed a user"),
    "user_disabled": _l("Disabled a user"),
    "user_enabled": _l("Enabled a user"),
    "password_reset": _l("Reset a password"),
    "move": _l("Moved"),
    "transfer_request": _l("Asked another village to take a case"),
    "transfer_accept": _l("Accepted a transferred case"),
    "transfer_refuse": _l("Refused a transferred case"),
    "transfer_cancel": _l("Took back a transfer request"),
    "file_scan": _l("Filed a signed scan"),
    "add_photo": _l("Added visit photos"),
    "view_photo": _l("Viewed a visit photo"),
    "withdraw_photo": _l("Withdrew a visit photo"),
    "record_place": _l("Recorded the place of a visit"),
    "totp_reset": _l("Reset the second factor"),
    "totp_failed": _l("Wrong verification code"),
    "totp_enrolled": _l("Set up the second factor"),
    "password_changed": _l("Changed the password"),
    "password_change_failed": _l("Password change refused"),
    "password_change_locked": _l("Password change locked"),
    "approval_request": _l("Asked the town to approve"),
    "approve": _l("Approved"),
    "return": _l("Returned with a reason"),
    "resubmit": _l("Answered and resubmitted"),
    "withdraw": _l("Withdrew"),
    "family_duty": _l("Recorded a family member's duty"),
    "family_contact": _l("Recorded a contact with a family member"),
    "entrustment": _l("Recorded a care-entrustment agreement"),
    "benefit_apply": _l("Recorded a benefit application"),
    "benefit_grant": _l("Recorded a benefit granted"),
    "benefit_refuse": _l("Recorded a benefit refused"),
    "risk_override": _l("Set the risk level by hand"),
    "risk_override_cleared": _l("Went back to the risk level worked out"),
    "set_visit_contact": _l("Named the visit contact"),
}

ROLE = {
    "district": _l("District staff"),
    "town": _l("Town staff"),
    "village": _l("Village staff"),
    "worker": _l("Visitor"),
}

OBJECT_TYPE = {
    "elder": _l("Case file"),
    "elder_assignment": _l("Visitor assignment"),
    "visit": _l("Visit record"),
    "care": _l("Care record"),
    "referral": _l("Referral"),
    "risk": _l("Risk"),
    "follow_up": _l("Follow-up"),
    "document": _l("Printed form"),
    "scan": _l("Signed scan"),
    "photo": _l("Visit photo"),
    "campaign": _l("Visit campaign"),
    "ledger": _l("Ledger"),
    "audit": _l("Audit log"),
    "user": _l("User"),
    "area": _l("Area"),
    "areas": _l("Areas"),
    "submission": _l("Half-year submission"),
    "transfer": _l("Transfer"),
    "job": _l("Background task"),
    "import_errors": _l("Import errors"),
    "data": _l("All data"),
    "database": _l("Database"),
    "aid_pairing": _l("Mutual-aid pairing"),
    "aid_pairing_ledger": _l("Mutual-aid pairing ledger"),
    "aid_paired_elder": _l("Paired elder"),
    "aid_member": _l("Mutual-aid member"),
    "aid_fund": _l("Mutual-aid fund"),
    "aid_activity": _l("Mutual-aid activity"),
    "aid_point": _l("Mutual-aid site"),
    "aid_points": _l("Mutual-aid points"),
    "aid_rate": _l("Mutual-aid rate"),
    "approval": _l("Approval"),
    "family_duty": _l("Family member's duty"),
    "family_contact": _l("Contact with a family member"),
    "entrustment": _l("Care-entrustment agreement"),
    "benefit": _l("Benefit application"),
    "risk_level": _l("Risk level"),
    "service_force": _l("Service force"),
    "visit_contact": _l("Visit contact"),
}

# Keys of ``key=value`` details.
DETAIL_KEY = {
    "format": _l("Format"),
    "rows": _l("Rows"),
    "area": _l("Area"),
    "from": _l("From"),
    "to": _l("To"),
    "town": _l("Town"),
    "period": _l("Period"),
    "files": _l("Files"),
    "file": _l("File"),
    "fields": _l("Fields"),
    "areas": _l("Areas affected"),
    "visitor": _l("Visitor"),
    "elders": _l("Elders"),
    "new": _l("New"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "helpers": _l("Helpers"),
    "level": _l("Level"),
    "kind": _l("Kind"),
    "parent": _l("Parent"),
    "older_than_days": _l("Older than (days)"),
}

# Single words of a detail: the denial's answer, HTTP methods, the blueprint of a refused page.
DETAIL_WORD = {
    "exists": _l("the record exists"),
    "missing": _l("no such record"),
    "thumb": _l("thumbnail"),
    "full": _l("full size"),
    "GET": _l("opening"),
    "POST": _l("submitting"),
    "cli": _l("command line"),
    # Which registration form a ``view_form`` opened.
    "edit": _l("correcting the registration"),
    "review": _l("half-year review"),
    "registration": _l("new registration"),
    "archive": _l("archive"),
    # The ``reveal`` of a family member's phone (tap to call, issue 20 item 2).
    "family": _l("a family member's phone"),
}

BLUEPRINT = {
    "elders": _l("case files"),
    "visits": _l("visits"),
    "referrals": _l("referrals and risks"),
    "documents": _l("printed forms"),
    "search": _l("case history"),
    "ledger": _l("ledger"),
    "exports": _l("exports"),
    "imports": _l("imports"),
    "jobs": _l("background tasks"),
    "submissions": _l("half-year submissions"),
    "transfers": _l("transfers"),
    "audit_log": _l("audit log"),
    "areas": _l("areas"),
    "visitors": _l("visitors"),
    "mutual_aid": _l("mutual aid"),
    "dashboard": _l("dashboard"),
    "auth": _l("account"),
    "approvals": _l("approvals"),
    "family": _l("family duty"),
    "benefits": _l("benefit applications"),
}

AREA_KIND = {
    "district": _l("District"),
    "town": _l("Town"),
    "street": _l("Street"),
    "village": _l("Village"),
    "community": _l("Community"),
    "group": _l("Villager group"),
}
_FORMAT = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF", "csv": "CSV", "zip": "ZIP"}
_ENDPOINT = re.compile(r"^([a-z_]+)\.[a-z_]+$")


def label(mapping: dict[str, Any], code: str | None) -> str:
    """The label of ``code``, "" for none, and a neutral word for an unknown code."""
    if not code:
        return ""
    found = mapping.get(code)
    return str(found) if found is not None else str(_l("Other"))


def action_label(code: str | None) -> str:
    return label(ACTION, code)


def role_label(code: str | None) -> str:
    return label(ROLE, code)


def object_label(code: str | None) -> str:
    return label(OBJECT_TYPE, code)


def _enum_values(object_type: str = "") -> dict[str, Any]:
    """Stored enum values a detail may carry (statuses, risk types, needs, methods, kinds)."""
    from caseman.referrals import labels as referral_labels
    from caseman.visits import labels as visit_labels

    statuses = [referral_labels.REFERRAL_STATUS_BY_VALUE, referral_labels.RISK_STATUS_BY_VALUE]
    if object_type == "risk":
        statuses.reverse()
    found: dict[str, Any] = {}
    for mapping in (
        *statuses,
        referral_labels.RISK_TYPE,
        visit_labels.METHOD,
        visit_labels.NEED,
        AREA_KIND,
    ):
        for key, text in mapping.items():
            found.setdefault(str(getattr(key, "value", key)), text)
    return found


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _value(value: str, object_type: str = "") -> str:
    """An enum value as its label; a transition ``a>b`` as "a → b"; a date as 2026年7月1日;
    anything else (a number, a login name, a file name) as it is."""
    if ">" in value:
        return " → ".join(_value(part, object_type) for part in value.split(">"))
    if found_date := _ISO_DATE.match(value):
        from datetime import date

        from caseman.i18n import cn_date

        try:
            return cn_date(date(*(int(part) for part in found_date.groups())))
        except ValueError:
            return value
    found = _enum_values(object_type).get(value)
    return str(found) if found is not None else value


# Fields of an area ("fields=name,code" of an area's change).
AREA_FIELD = {
    "name": _l("Area name"),
    "kind": _l("Kind"),
    "code": _l("Division code"),
    "closed_on": _l("Closing date"),
    "closed_reason": _l("Reason for closing"),
}

# Actions whose bare detail words are field names ("id_number phone", "name,address").
FIELD_ACTIONS = {"reveal", "update"}


def _field(name: str, object_type: str = "") -> str | None:
    """The label of a case-file, visit or area field, None if ``name`` is none."""
    from caseman.templating import field_label
    from caseman.visits import labels as visit_labels

    if object_type.startswith("area") and name in AREA_FIELD:
        return str(AREA_FIELD[name])
    if name in visit_labels.FIELD:
        return str(visit_labels.FIELD[name])
    shown = field_label(name)
    return shown if shown != name else None


def detail_text(detail: str | None, action: str = "", object_type: str = "") -> str:
    """A detail as words: ``format=xlsx rows=3`` → "格式：Excel · 行数：3"."""
    parts: list[str] = []
    tokens = []
    for chunk in (detail or "").split():
        # "fields=a,b" is one list; elsewhere commas separate items ("new=1,updated=2").
        tokens += [chunk] if chunk.startswith("fields=") else chunk.split(",")
    for token in tokens:
        if not token:
            continue
        key, sep, value = token.partition("=")
        if sep and key in DETAIL_KEY:
            if key == "format":
                shown = _FORMAT.get(value, _value(value, object_type))
            elif key == "fields":
                names = [name for name in value.split(",") if name]
                shown = "、".join(_field(name, object_type) or name for name in names)
            else:
                shown = _value(value, object_type)
            parts.append(str(_l("%(key)s: %(value)s", key=DETAIL_KEY[key], value=shown)))
        elif token in DETAIL_WORD:
            parts.append(str(DETAIL_WORD[token]))
        elif match := _ENDPOINT.match(token):
            parts.append(str(_l("a page of %(part)s", part=label(BLUEPRINT, match.group(1)))))
        elif action in FIELD_ACTIONS and (field := _field(token, object_type)):
            parts.append(field)
        else:
            parts.append(_value(token, object_type))
    return " · ".join(parts)
