"""Who may be an elder's visitor: a worker of the elder's own town, or of the elder's village."""

from __future__ import annotations

from caseman.rules.visitors import may_visit

TOWN = "/1/2/"
VILLAGE = "/1/2/5/"


def test_a_worker_of_the_elders_town_or_village_or_its_group_may_visit():
    assert may_visit("/1/2/", TOWN, VILLAGE)
    assert may_visit("/1/2/5/", TOWN, VILLAGE)
    assert may_visit("/1/2/5/9/", TOWN, VILLAGE)


def test_a_worker_of_another_village_town_or_the_district_may_not():
    assert not may_visit("/1/2/6/", TOWN, VILLAGE)  # another village of the same town
    assert not may_visit("/1/3/", TOWN, VILLAGE)  # another town
    assert not may_visit("/1/3/7/", TOWN, VILLAGE)
    assert not may_visit("/1/", TOWN, VILLAGE)  # the district
    assert not may_visit("/1/2/55/", TOWN, VILLAGE)  # a prefix of digits is not the village


def test_an_elder_without_a_village_can_have_only_a_town_worker():
    assert may_visit("/1/2/", TOWN, None)
    assert not may_visit("/1/2/5/", TOWN, None)
