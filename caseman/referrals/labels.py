"""Display labels for referrals and risks (English msgids, translated by Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.elders.labels import label_of  # noqa: F401 - the pages reach it through labels
from caseman.referrals.models import Benefit, BenefitOutcome
from caseman.rules.consent import ConsentAnswer, ConsentWay
from caseman.rules.referrals import ReferralStatus, RiskStatus, RiskType, Severity

REFERRAL_STATUS = {
    ReferralStatus.OPEN: _l("Not yet referred"),
    ReferralStatus.REFERRED: _l("Referred"),
    ReferralStatus.IN_PROGRESS: _l("Service in progress"),
    ReferralStatus.SOLVED: _l("Solved"),
    ReferralStatus.UNSOLVABLE: _l("Cannot be solved"),
}
# The button that moves a referral to each status
REFERRAL_ACTION = {
    ReferralStatus.OPEN: _l("Reopen"),
    ReferralStatus.REFERRED: _l("Mark as referred"),
    ReferralStatus.IN_PROGRESS: _l("Service started"),
    ReferralStatus.SOLVED: _l("Mark as solved"),
    ReferralStatus.UNSOLVABLE: _l("Cannot be solved"),
}
CONSENT_ANSWER = {
    ConsentAnswer.AGREED: _l("Agreed that their details go to the service"),
    ConsentAnswer.REFUSED: _l("Did not agree"),
}
CONSENT_WAY = {
    ConsentWay.IN_PERSON: _l("Told in person, answered in person"),
    ConsentWay.SIGNED: _l("Signed in writing"),
    ConsentWay.PHONE: _l("By phone"),
}
RISK_TYPE = {
    RiskType.HOME_HAZARD: _l("Safety hazard at home"),
    RiskType.SUDDEN_ILLNESS: _l("Sudden or critical illness"),
    RiskType.FALL: _l("Fall"),
    RiskType.MISSING: _l("Missing, wandering or begging"),
    RiskType.ABUSE: _l("Abuse, neglect or unlawful harm"),
    RiskType.MENTAL_ILLNESS: _l("Severe mental illness"),
    RiskType.HARDSHIP: _l("Major hardship"),
    RiskType.OTHER: _l("Other risk"),
}
SEVERITY = {
    Severity.LOW: _l("Ordinary"),
    Severity.HIGH: _l("Serious"),
    Severity.CRITICAL: _l("Critical, urgent"),
}
RISK_STATUS = {
    RiskStatus.OPEN: _l("Not yet handled"),
    RiskStatus.HANDLING: _l("Being handled"),
    RiskStatus.CLOSED: _l("Closed"),
}
RISK_ACTION = {
    RiskStatus.HANDLING: _l("Being handled"),
    RiskStatus.CLOSED: _l("Close: settled"),
}
BENEFIT = {
    Benefit.DIBAO: _l("Minimum living allowance (dibao)"),
    Benefit.EXTREME_POVERTY: _l("Extreme-poverty support (tekun)"),
    Benefit.OLD_AGE_ALLOWANCE: _l("Old-age allowance"),
    Benefit.DISABILITY_SUBSIDY: _l("Disability subsidies"),
    Benefit.CARE_SUBSIDY: _l("Elderly care service subsidy"),
    Benefit.TEMPORARY_RELIEF: _l("Temporary relief"),
    Benefit.MEDICAL_RELIEF: _l("Medical relief"),
    Benefit.OTHER: _l("Other benefit"),
}
BENEFIT_OUTCOME = {
    BenefitOutcome.PENDING: _l("Under review"),
    BenefitOutcome.GRANTED: _l("Granted"),
    BenefitOutcome.REFUSED: _l("Refused"),
}

# Stored status strings (the history table) to labels
REFERRAL_STATUS_BY_VALUE = {status.value: label for status, label in REFERRAL_STATUS.items()}
RISK_STATUS_BY_VALUE = {status.value: label for status, label in RISK_STATUS.items()}
# A report-at-once risk acknowledged by the town is logged as a step "acknowledged".
RISK_STATUS_BY_VALUE["acknowledged"] = _l("Acknowledged by the town")
