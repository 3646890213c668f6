"""Helpers of the risk-level tests: the visit and risk helpers of the visit and referral tests."""

from tests.referrals.conftest import risk_values  # noqa: F401
from tests.visits.conftest import add_visit, recorder, visit_values  # noqa: F401
