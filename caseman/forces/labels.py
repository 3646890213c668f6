"""Display labels of the service forces (004 一(五)) and the risk levels (003 二(二))."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.risk_level import RiskLevel
from caseman.rules.service_forces import ForceKind

FORCE_KIND = {
    ForceKind.SELF_GOVERNANCE: _l("Village or residents' committee"),
    ForceKind.ELDERLY_ASSOCIATION: _l("Elderly association"),
    ForceKind.OWNERS_COMMITTEE: _l("Owners' committee"),
    ForceKind.GRID_WORKER: _l("Grid worker"),
    ForceKind.FAMILY_DOCTOR: _l("Family doctor"),
    ForceKind.CARE_WORKER: _l("Elderly-care worker"),
    ForceKind.SOCIAL_WORKER: _l("Social worker"),
    ForceKind.VOLUNTEER: _l("Volunteer"),
    ForceKind.VETERAN_PARTY_MEMBER: _l("Veteran Party member"),
    ForceKind.YOUNG_OLD: _l("Younger healthy elder"),
    ForceKind.RELATIVE_NEIGHBOUR: _l("Relative or neighbour"),
    ForceKind.PUBLIC_WELFARE_POST: _l("Public-welfare post for elder care"),
    ForceKind.PAIRED_CADRE: _l("Paired cadre or unit"),
    ForceKind.DELIVERY: _l("Courier or meal delivery"),
    ForceKind.OTHER: _l("Other"),
}

RISK_LEVEL = {
    RiskLevel.HIGH: _l("High risk"),
    RiskLevel.MEDIUM: _l("Medium risk"),
    RiskLevel.LOW: _l("Low risk"),
}


def force_choices() -> list[tuple[str, object]]:
    """The visit form's 探访力量 choices: none, then the kinds of 004 一(五)."""
    return [("", _l("Not recorded")), *((k.value, label) for k, label in FORCE_KIND.items())]
