"""Display labels of the visit vocabularies (English msgids, translated by Babel)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from caseman.rules.enums import (
    FamilyChange,
    IllnessChange,
    NeedType,
    Safety,
    Satisfaction,
    Trend,
    VisitMethod,
)
from caseman.rules.visit_periods import DueState, Period, PeriodState

METHOD = {
    VisitMethod.PHONE: _l("Phone call"),
    VisitMethod.HOME: _l("Home visit"),
    VisitMethod.VIDEO: _l("Internet voice or video call"),
    VisitMethod.OTHER: _l("Other"),
}
FAMILY_CHANGE = {
    FamilyChange.UNCHANGED: _l("No change"),
    FamilyChange.INCREASED: _l("Increased"),
    FamilyChange.DECREASED: _l("Decreased"),
}
TREND = {
    Trend.UNCHANGED: _l("No change"),
    Trend.BETTER: _l("Better"),
    Trend.WORSE: _l("Worse"),
}
ILLNESS = {
    IllnessChange.UNCHANGED: _l("No change"),
    IllnessChange.SERIOUS: _l("Serious"),
    IllnessChange.IMPROVED: _l("Improved"),
}
SAFETY = {
    Safety.SAFE: _l("Safe"),
    Safety.FAIRLY_SAFE: _l("Fairly safe"),
    Safety.UNSAFE: _l("Unsafe"),
}
NEED = {
    NeedType.LIFE_CARE: _l("Daily living care"),
    NeedType.REHABILITATION: _l("Rehabilitation nursing"),
    NeedType.EMOTIONAL: _l("Emotional comfort"),
    NeedType.EMERGENCY: _l("Emergency rescue"),
    NeedType.ADAPTATION: _l("Home ageing-friendly adaptation"),
    NeedType.MEDICAL: _l("Medical and health services"),
    NeedType.SAFETY_HAZARD: _l("Removing a safety hazard"),
    NeedType.BENEFITS: _l("Applying for social-security benefits"),
    NeedType.OTHER: _l("Other need"),
}
SATISFACTION = {
    Satisfaction.VERY_SATISFIED: _l("Very satisfied"),
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.FAIR: _l("Fairly satisfied"),
    Satisfaction.UNSATISFIED: _l("Not satisfied"),
}
DUE_STATE = {
    DueState.DONE: _l("Visited this period"),
    DueState.DUE: _l("Due this period"),
    DueState.OVERDUE: _l("Overdue"),
    DueState.INACTIVE: _l("Not in the schedule"),
}
# 附件3 item names, for the version history and the timeline's findings
FIELD = {
    "visited_on": _l("Visit date"),
    "method": _l("Visit method"),
    "method_other": _l("Other method"),
    "family_change": _l("Family size"),
    "family_change_count": _l("Number of people"),
    "expression": _l("Ability to express"),
    "mobility": _l("Mobility"),
    "illness": _l("Illness"),
    "illness_name": _l("Name of the illness"),
    "mood": _l("Mood"),
    "gas_safety": _l("Gas safety"),
    "water_heating_safety": _l("Water and heating safety"),
    "electricity_safety": _l("Electrical safety"),
    "personal_hygiene": _l("Personal hygiene"),
    "home_hygiene": _l("Home hygiene"),
    "indoor_environment": _l("Indoor environment"),
    "needs": _l("Service needs"),
    "needs_note": _l("Needs in the elder's words"),
    "suggested_care": _l("Suggested care"),
    "visitor_name": _l("Visitor"),
    "visited_person_name": _l("Person visited"),
    "recorder_name": _l("Data entered by"),
    "note": _l("Note"),
    "force_kind": _l("Service force who visited"),
    "cared_on": _l("Care date"),
    "what_was_done": _l("What was done"),
    "provider": _l("Service person or unit"),
    "satisfaction": _l("Elder's satisfaction"),
    "satisfaction_note": _l("Satisfaction comment"),
    "need": _l("Need answered"),
    "visit_id": _l("Visit answered"),
    "void_reason": _l("Reason for voiding"),
}


def period_label(period: Period) -> str:
    """A visit period as people say it: 2026年10月上半月 / 下半月 (key elders), 2026年10月."""
    values = {"year": period.start.year, "month": period.start.month}
    if not period.is_key:
        return gettext("%(year)s/%(month)s", **values)
    if period.start.day == 1:
        return gettext("%(year)s/%(month)s, 1st to 15th", **values)
    return gettext("%(year)s/%(month)s, 16th to month end", **values)


PERIOD_STATE = {
    PeriodState.SERVED: _l("Visited"),
    PeriodState.MISSED: _l("Missed"),
    PeriodState.OPEN: _l("Not yet visited"),
}
