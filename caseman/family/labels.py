"""Words for the family-duty vocabularies (stored by value, shown translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.family_duty import ContactMethod, ContactRhythm, ReminderReason

RHYTHM = {
    ContactRhythm.WEEKLY: _l("Every week"),
    ContactRhythm.HALF_MONTHLY: _l("Every half month"),
    ContactRhythm.MONTHLY: _l("Every month"),
    ContactRhythm.QUARTERLY: _l("Every quarter"),
}
METHOD = {
    ContactMethod.PHONE: _l("Phone call"),
    ContactMethod.MESSAGE: _l("WeChat or text message"),
    ContactMethod.VIDEO: _l("Video call"),
    ContactMethod.IN_PERSON: _l("In person"),
}
REASON = {
    ReminderReason.RHYTHM: _l("Their contact rhythm has passed"),
    ReminderReason.NOT_VISITING: _l("Lives away and does not visit often"),
}
