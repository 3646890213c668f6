"""Display labels of the domain vocabularies (English msgids, translated by Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.enums import (
    AbilityLevel,
    ArchiveReason,
    Category,
    Gender,
    Relation,
    Residence,
    SupportUnit,
)

GENDER = {Gender.MALE: _l("Male"), Gender.FEMALE: _l("Female")}
ABILITY = {
    AbilityLevel.INTACT: _l("Ability intact"),
    AbilityLevel.MILD: _l("Mildly disabled"),
    AbilityLevel.MODERATE: _l("Moderately disabled"),
    AbilityLevel.SEVERE: _l("Severely disabled"),
    AbilityLevel.TOTAL: _l("Completely disabled"),
}
CATEGORY = {
    Category.LIVING_ALONE: _l("Living alone"),
    Category.EMPTY_NEST: _l("Empty nest"),
    Category.LEFT_BEHIND: _l("Left behind"),
    Category.DISABLED_CARE: _l("Disabled (loss of self-care)"),
    Category.SEVERE_DISABILITY: _l("Severe disability"),
    Category.FAMILY_PLANNING: _l("Special family-planning family"),
    Category.OTHER: _l("Other special difficulty"),
}
RELATION = {
    Relation.SPOUSE: _l("Spouse"),
    Relation.SON: _l("Son"),
    Relation.DAUGHTER: _l("Daughter"),
    Relation.SON_IN_LAW: _l("Son-in-law"),
    Relation.DAUGHTER_IN_LAW: _l("Daughter-in-law"),
    Relation.GRANDCHILD: _l("Grandchild"),
    Relation.SIBLING: _l("Sibling"),
    Relation.PARENT: _l("Parent"),
    Relation.OTHER: _l("Other relative"),
}
RESIDENCE = {
    Residence.WITH_ELDER: _l("Lives with the elder"),
    Residence.SAME_TOWN: _l("Same town or street"),
    Residence.ELSEWHERE: _l("Elsewhere"),
}
ARCHIVE_REASON = {
    ArchiveReason.DECEASED: _l("Deceased"),
    ArchiveReason.MOVED_AWAY: _l("Moved away"),
    ArchiveReason.INELIGIBLE: _l("No longer eligible"),
    ArchiveReason.OTHER: _l("Other"),
}
SUPPORT_UNIT = {
    SupportUnit.PARTY_GOVERNMENT: _l("Party or government body, mass organisation"),
    SupportUnit.TOWN_VILLAGE: _l("Town (street) or village (residents') committee"),
    SupportUnit.ENTERPRISE: _l("Enterprise"),
    SupportUnit.SOCIAL_ORGANISATION: _l("Social organisation"),
    SupportUnit.SOCIAL_WORK: _l("Professional social work"),
    SupportUnit.VOLUNTEER: _l("Volunteers"),
    SupportUnit.OTHER: _l("Other"),
}
VERSION_KIND = {
    "created": _l("Registered"),
    "edited": _l("Corrected"),
    "reviewed": _l("Half-year review"),
    "archived": _l("Archived"),
    "restored": _l("Restored"),
    "transferred": _l("Transferred to another village"),
    "benefit": _l("Benefit granted"),
}


def choices(mapping: dict) -> list[tuple[str, object]]:
    """WTForms choices from a label mapping, stored by value."""
    return [(key.value if hasattr(key, "value") else key, label) for key, label in mapping.items()]


def label_of(mapping: dict, value: object) -> str:
    """The label of a stored value ("" for None)."""
    if value is None or value == "":
        return ""
    for key, label in mapping.items():
        if key == value or getattr(key, "value", None) == value:
            return str(label)
    return str(value)
