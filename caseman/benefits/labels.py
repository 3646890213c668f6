"""Words for benefit kinds and outcomes (stored by value, shown translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.benefits import BenefitKind, Outcome

KIND = {
    BenefitKind.DIBAO: _l("Minimum living allowance (dibao)"),
    BenefitKind.DIBAO_EDGE: _l("Near-dibao household"),
    BenefitKind.EXTREME_POVERTY: _l("Extreme-poverty support"),
    BenefitKind.OLD_AGE_ALLOWANCE: _l("Old-age allowance"),
    BenefitKind.CARE_SUBSIDY: _l("Care subsidy"),
    BenefitKind.DISABILITY_SUBSIDIES: _l("Two disability subsidies"),
    BenefitKind.SERVICE_SUBSIDY: _l("Elderly-care service subsidy"),
    BenefitKind.TEMPORARY_ASSISTANCE: _l("Temporary assistance"),
    BenefitKind.OTHER: _l("Other benefit"),
}
OUTCOME = {
    Outcome.PENDING: _l("Pending"),
    Outcome.GRANTED: _l("Granted"),
    Outcome.REFUSED: _l("Refused"),
}
