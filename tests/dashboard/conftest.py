"""Fixtures of the visit tests, for the dashboard tests."""

from tests.visits.conftest import add_visit, recorder  # noqa: F401
