"""Which roles fit which area level, and which roles a manager may give (issue 16, item 3)."""

from caseman.rules.accounts import levels_for, role_fits_level, roles_managed_by


def test_roles_fit_their_levels():
    assert role_fits_level("district", "district")
    assert not role_fits_level("district", "town")
    assert role_fits_level("town", "town")
    assert not role_fits_level("town", "village")
    assert role_fits_level("village", "village")
    assert role_fits_level("village", "group")
    assert not role_fits_level("village", "town")
    assert role_fits_level("worker", "town")
    assert role_fits_level("worker", "group")
    assert not role_fits_level("worker", "district")


def test_town_staff_give_only_village_and_worker_roles():
    assert roles_managed_by("district") == ("district", "town", "village", "worker")
    assert roles_managed_by("town") == ("village", "worker")
    assert roles_managed_by("village") == ()
    assert roles_managed_by("worker") == ()


def test_levels_for_the_roles_a_town_gives():
    assert levels_for(("village", "worker")) == ("town", "village", "group")
    assert levels_for(("district",)) == ("district",)
