"""Masking rule of caseman.rules.masking (004 三(四): "注重保护特殊困难老年人隐私")."""

import pytest

from caseman.rules.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("500112194501011234", "5001**********1234"),  # first 4 and last 4 of 18, length kept
        ("11010519491231002X", "1101**********002X"),
        (" 500112194501011234 ", "5001**********1234"),  # surrounding spaces dropped
        ("110105491231002", "*************02"),  # 15 characters: all but the last 2
        ("12345", "***45"),
        ("12", "**"),  # 1 or 2 characters: showing the "last 2" would show everything
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),  # mobile: first 3 and last 4
        ("023-67891234", "**********34"),  # landline with area code: all but the last 2
        ("67891234", "******34"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    "value", ["500112194501011234", "13812345678", "023-67891234", "12345", "x"]
)
def test_masking_keeps_length_and_hides_middle(value):
    for masked in (mask_id_number(value), mask_phone(value)):
        assert len(masked) == len(value)
        assert masked != value


# Per role (caseman.rules.masking docstring; GB/T 35273-2020 §7.2 展示限制): district and town see
# the 6-digit area code, village staff and workers 4; birth date and sequence never show in lists.
@pytest.mark.parametrize(
    ("role", "masked"),
    [
        ("district", "500112********1234"),
        ("town", "500112********1234"),
        ("village", "5001**********1234"),
        ("worker", "5001**********1234"),
        (None, "5001**********1234"),  # unknown: the strictest form
        ("someone", "5001**********1234"),
    ],
)
def test_mask_id_for_role(role, masked):
    from caseman.rules.masking import mask_id_for_role

    assert mask_id_for_role("500112194501011234", role) == masked


def test_no_role_sees_the_birth_date_in_a_list():
    from caseman.rules.masking import AREA_DIGITS_BY_ROLE, mask_id_for_role

    for role in AREA_DIGITS_BY_ROLE:
        assert "19450101" not in mask_id_for_role("500112194501011234", role)
        assert len(mask_id_for_role("500112194501011234", role)) == 18


def test_exports_show_full_numbers_only_to_district_and_town():
    from caseman.ledger.queries import FULL_ID_ROLES
    from caseman.rules.masking import FULL_EXPORT_ROLES

    assert {role.value for role in FULL_ID_ROLES} == set(FULL_EXPORT_ROLES)


@pytest.mark.parametrize(
    ("value", "head", "masked"),
    [
        # The certificate is the ID number plus the kind and grade digits: masked like the ID.
        ("50011219450101123412", 4, "5001**********123412"),
        ("50011219450101123412", 6, "500112********123412"),
        ("500112194501011234", 4, "5001**********1234"),  # the ID number alone
        ("残字12345", 4, "*****45"),  # an old paper number: all but the last 2
        ("", 4, ""),
        (None, 4, ""),
    ],
)
def test_mask_certificate_number(value, head, masked):
    from caseman.rules.masking import mask_certificate_number

    assert mask_certificate_number(value, head) == masked
    assert "19450101" not in mask_certificate_number(value, head)


def test_the_certificate_is_masked_per_role_like_the_id_number():
    from caseman.rules.masking import mask_certificate_for_role, mask_id_for_role

    number = "500112194501011234"
    for role in ("district", "town", "village", "worker", None):
        assert mask_certificate_for_role(number + "12", role) == (
            mask_id_for_role(number, role) + "12"
        )
