"""Resident ID numbers (GB 11643-1999); DESIGN.md: birth date and gender derive from the number."""

from datetime import date

import pytest
from stdnum.cn import ric

from caseman.rules.enums import Gender
from caseman.rules.id_number import (
    IdNumberInfo,
    InvalidIdNumber,
    age_on,
    check_gender,
    make_id_number,
    normalize_id_number,
    parse_id_number,
)

TODAY = date(2024, 6, 15)


def with_check_digit(first17: str) -> str:
    """A number with a correct check digit, whatever its date says (for impossible dates)."""
    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.mark.parametrize(
    ("number", "birth_on", "gender", "region"),
    [
        # The example printed in GB 11643-1999 (X check digit, woman).
        ("11010519491231002X", date(1949, 12, 31), Gender.FEMALE, "110105"),
        # The example in python-stdnum's documentation (man).
        ("360426199101010071", date(1991, 1, 1), Gender.MALE, "360426"),
    ],
)
def test_known_valid_numbers(number, birth_on, gender, region):
    assert ric.is_valid(number)
    assert parse_id_number(number, TODAY) == IdNumberInfo(number, birth_on, gender, region)


@pytest.mark.parametrize("gender", list(Gender))
@pytest.mark.parametrize("serial", [0, 1, 250, 499])
def test_make_id_number_is_valid_and_round_trips(serial, gender):
    number = make_id_number("500112", date(1945, 3, 8), serial, gender)
    assert len(number) == 18
    assert number[-1] == ric.calc_check_digit(number)
    info = parse_id_number(number, TODAY)
    assert (info.birth_on, info.gender, info.region_code) == (date(1945, 3, 8), gender, "500112")
    # GB 11643: the 17th digit is odd for men, even for women.
    assert int(number[16]) % 2 == (1 if gender == Gender.MALE else 0)


def test_make_id_number_reproduces_published_examples():
    assert make_id_number("110105", date(1949, 12, 31), 1, Gender.FEMALE) == "11010519491231002X"
    assert make_id_number("360426", date(1991, 1, 1), 3, Gender.MALE) == "360426199101010071"


@pytest.mark.parametrize(
    ("region", "serial"), [("50011", 0), ("50011a", 0), ("500112", -1), ("500112", 500)]
)
def test_make_id_number_rejects_bad_arguments(region, serial):
    with pytest.raises(ValueError, match="must"):
        make_id_number(region, date(1950, 1, 1), serial, Gender.MALE)


def test_make_id_number_passes_stdnum_full_validation():
    # 500112 (渝北区) is in stdnum's table for numbers issued 1997-2025, so for a birth year in
    # that range stdnum's full validation (county table included) agrees.
    number = make_id_number("500112", date(2001, 9, 9), 17, Gender.FEMALE)
    assert ric.validate(number) == number


def test_elder_with_county_code_newer_than_birth_is_accepted():
    # An elder born in 1945 whose card was issued in 渝北区 (code 500112, created 1997): stdnum's
    # county table rejects it as "not assigned in the birth year", yet such cards are real.
    number = make_id_number("500112", date(1945, 3, 8), 0, Gender.MALE)
    assert not ric.is_valid(number)
    assert parse_id_number(number, TODAY).region_code == "500112"


def test_county_code_outside_stdnum_table_is_accepted():
    # Synthetic or abolished county codes exist on cards: only six digits are required.
    number = make_id_number("999999", date(1950, 1, 1), 7, Gender.MALE)
    assert not ric.is_valid(number)
    assert parse_id_number(number, TODAY).region_code == "999999"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),  # lower-case x
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width digits and Ｘ
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),  # full-width ｘ
        (" 110105 19491231 002X ", "11010519491231002X"),  # ASCII spaces
        ("110105\u300019491231\u3000002X", "11010519491231002X"),  # ideographic spaces
        ("", ""),
    ],
)
def test_normalize_id_number(raw, expected):
    assert normalize_id_number(raw) == expected


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105 1949 1231 002X"]
)
def test_parse_accepts_input_that_normalizes(raw):
    assert parse_id_number(raw, TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "The ID number must have 18 characters."),
        ("1101051949123100", "The ID number must have 18 characters."),
        ("11010519491231002X1", "The ID number must have 18 characters."),
        # 15-digit first-generation numbers are not accepted: cards were all replaced by 2013.
        ("110105491231002", "The ID number must have 18 characters."),
        (
            "1101051949123100XX",
            "The ID number may contain only digits, with X allowed as the last character.",
        ),
        (
            "11010519491231002Y",
            "The ID number may contain only digits, with X allowed as the last character.",
        ),
        (
            "A1010519491231002X",
            "The ID number may contain only digits, with X allowed as the last character.",
        ),
        # One digit of the GB example changed: the check digit no longer fits.
        ("11010519491231003X", "The check digit of this ID number is wrong."),
        ("110105194912310021", "The check digit of this ID number is wrong."),
    ],
)
def test_parse_rejects_bad_shape(raw, message):
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(raw, TODAY)
    assert caught.value.message == message


@pytest.mark.parametrize("birth", ["19480230", "19450231", "19451301", "19450001", "19450100"])
def test_impossible_birth_date(birth):
    # 30/31 February never exist; month 13, month 0 and day 0 neither.
    number = with_check_digit(f"500112{birth}001")
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(number, TODAY)
    assert caught.value.message == "The birth date in this ID number does not exist."


@pytest.mark.parametrize(
    ("birth", "valid"),
    [
        ("19480229", True),  # 1948 is a leap year
        ("20000229", True),  # 2000: divisible by 400, leap
        ("19490229", False),  # common year
        ("19000229", False),  # 1900: divisible by 100 but not 400, common
    ],
)
def test_february_29(birth, valid):
    number = with_check_digit(f"500112{birth}001")
    if valid:
        info = parse_id_number(number, TODAY)
        assert (info.birth_on.month, info.birth_on.day) == (2, 29)
    else:
        with pytest.raises(InvalidIdNumber) as caught:
            parse_id_number(number, TODAY)
        assert caught.value.message == "The birth date in this ID number does not exist."


def test_birth_date_in_future():
    number = make_id_number("500112", date(2024, 6, 16), 0, Gender.FEMALE)
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(number, TODAY)
    assert caught.value.message == "The birth date in this ID number is in the future."


def test_birth_date_today_is_accepted():
    number = make_id_number("500112", TODAY, 0, Gender.FEMALE)
    assert parse_id_number(number, TODAY).birth_on == TODAY


@pytest.mark.parametrize(
    ("birth_on", "ok"), [(date(1899, 12, 31), False), (date(1900, 1, 1), True)]
)
def test_birth_date_before_1900(birth_on, ok):
    number = make_id_number("500112", birth_on, 0, Gender.MALE)
    if ok:
        assert parse_id_number(number, TODAY).birth_on == birth_on
    else:
        with pytest.raises(InvalidIdNumber) as caught:
            parse_id_number(number, TODAY)
        assert caught.value.message == "The birth date in this ID number is before 1900."


def test_invalid_id_number_is_a_value_error():
    with pytest.raises(ValueError, match="18 characters"):
        parse_id_number("123", TODAY)


@pytest.mark.parametrize(
    ("number_gender", "claimed", "ok"),
    [
        (Gender.MALE, Gender.MALE, True),
        (Gender.FEMALE, Gender.FEMALE, True),
        (Gender.MALE, Gender.FEMALE, False),
        (Gender.FEMALE, Gender.MALE, False),
    ],
)
def test_check_gender(number_gender, claimed, ok):
    info = parse_id_number(make_id_number("500112", date(1950, 5, 5), 42, number_gender), TODAY)
    if ok:
        assert check_gender(info, claimed) is None
    else:
        with pytest.raises(InvalidIdNumber) as caught:
            check_gender(info, claimed)
        assert caught.value.message == (
            "The gender does not match the ID number "
            "(the 17th digit is odd for men, even for women)."
        )


@pytest.mark.parametrize(
    ("birth_on", "on", "age"),
    [
        (date(1944, 6, 15), date(2024, 6, 14), 79),  # the day before the 80th birthday
        (date(1944, 6, 15), date(2024, 6, 15), 80),  # on the birthday
        (date(1944, 6, 15), date(2024, 6, 16), 80),
        (date(1944, 12, 31), date(2025, 1, 1), 80),
        (date(2000, 1, 1), date(2000, 1, 1), 0),
        # Born 29 February: in a common year the birthday is passed on 1 March, not 28 February.
        (date(1944, 2, 29), date(2023, 2, 28), 78),
        (date(1944, 2, 29), date(2023, 3, 1), 79),
        (date(1944, 2, 29), date(2024, 2, 28), 79),
        (date(1944, 2, 29), date(2024, 2, 29), 80),
    ],
)
def test_age_on(birth_on, on, age):
    assert age_on(birth_on, on) == age


def test_age_on_before_birth_is_an_error():
    with pytest.raises(ValueError, match="before"):
        age_on(date(2000, 1, 2), date(2000, 1, 1))
