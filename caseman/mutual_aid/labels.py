"""Display labels of the mutual-aid vocabularies (English msgids, translated by Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.mutual_aid import (
    ActivityType,
    AidElderType,
    EntryKind,
    FundSource,
    HelpKind,
    Living,
    PairingKind,
    PointKind,
    TeamRole,
)

ROLE = {
    TeamRole.COORDINATOR: _l("Elder-care officer"),
    TeamRole.SOCIAL_WORKER: _l("Social worker"),
    TeamRole.ASSISTANT: _l("Elder-care assistant"),
    TeamRole.GROUP_LEADER: _l("Mutual-aid group leader"),
    TeamRole.VOLUNTEER: _l("Volunteer"),
}
POINT_KIND = {PointKind.CENTRE: _l("Centre point"), PointKind.SUB: _l("Sub-point")}
PAIRING_KIND = {
    PairingKind.ONE_TO_ONE: _l("One-to-one pair"),
    PairingKind.AREA_GROUP: _l("Area-based group"),
}
HELP_KIND = {
    HelpKind.KNOCK: _l("Knock on the door (daily)"),
    HelpKind.TALK: _l("Heart-to-heart talk (weekly)"),
    HelpKind.HELP: _l("Practical help (monthly)"),
}
LIVING = {Living.ALONE: _l("Lives alone"), Living.COUPLE: _l("Lives as a couple")}
ELDER_TYPE = {
    AidElderType.DIBAO: _l("Minimum living allowance"),
    AidElderType.DISPERSED_POVERTY: _l("Dispersed extreme poverty"),
    AidElderType.LOST_ONLY_CHILD: _l("Lost their only child"),
    AidElderType.DISABLED: _l("Disabled"),
    AidElderType.ENTITLED: _l("Entitled group (veterans' care)"),
    AidElderType.OTHER: _l("Other"),
}
ACTIVITY = {
    ActivityType.HOME_VISIT: _l("Home visits"),
    ActivityType.COURTYARD_MEETING: _l("Courtyard meeting"),
    ActivityType.CULTURE: _l("Mutual-aid cultural event"),
    ActivityType.FESTIVAL: _l("Festival entertainment"),
    ActivityType.BIRTHDAY: _l("Group birthday party"),
    ActivityType.HEALTH: _l("Health service"),
    ActivityType.LIFE_SUPPORT: _l("Daily-life support"),
    ActivityType.DIGITAL: _l("Digital-skills help"),
    ActivityType.OTHER: _l("Other"),
}
FUND_SOURCE = {
    FundSource.TOWN_FINANCE: _l("Town finance"),
    FundSource.VILLAGE_COLLECTIVE: _l("Village collective economy"),
    FundSource.CHARITY: _l("Charity"),
    FundSource.COMPANY: _l("Caring company"),
    FundSource.INDIVIDUAL: _l("Caring individual"),
}
ENTRY_KIND = {
    EntryKind.EARN: _l("Earned"),
    EntryKind.REDEEM: _l("Redeemed"),
    EntryKind.CORRECTION: _l("Correction"),
}
