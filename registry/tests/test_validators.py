"""GB 11643 identity numbers and GB 32100 credit codes: real-world shapes, and every way they go wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.validators import (
    IdentifierError,
    check_credit_code,
    check_identity_number,
    make_credit_code,
    make_identity_number,
    normalise_phone,
)


def test_a_valid_identity_number_gives_birth_date_and_sex():
    facts = check_identity_number("11010519491231002x")
    assert facts.number == "11010519491231002X"
    assert facts.birth_date == dt.date(1949, 12, 31) and facts.sex == "2"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check character is 1 but should be X"),
        ("11010519491231002", "not 18 characters"),
        ("110105491231002", "old 15-digit number"),
        ("110105194902300028", "not a possible date of birth"),
        ("110105209901010012", "is impossible"),
        ("990105194912310020", "not a Chinese division code"),
        ("3.30304199001011E+17", "stored as a number in Excel"),
    ],
)
def test_bad_identity_numbers_say_what_is_wrong(number, reason):
    with pytest.raises(IdentifierError, match=reason):
        check_identity_number(number)


def test_generated_numbers_pass_the_checksum():
    number = make_identity_number("330304", dt.date(2001, 2, 3), 7)
    assert check_identity_number(number).sex == "1"


@pytest.mark.parametrize("code", ["91110108551385082Q", "9144030071526726XG", "91350100M000100Y43"])
def test_real_credit_codes_pass(code):
    assert check_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110108551385082R", "check character is R but should be Q"),
        ("9111010855138508", "not 18 characters"),
        ("91110108551385O82Q", "cannot appear"),
        ("B1110108551385082Q", "registration authority"),
        ("91110108551385092Q", "organisation code"),
    ],
)
def test_bad_credit_codes_say_what_is_wrong(code, reason):
    with pytest.raises(IdentifierError, match=reason):
        check_credit_code(code)


def test_generated_credit_codes_pass():
    assert check_credit_code(make_credit_code("91", "330304", "MA2AB3C4"))


def test_phones_are_normalised_and_checked():
    assert normalise_phone("138 1234 5678") == "13812345678"
    assert normalise_phone("13812345678.0") == "13812345678"
    assert normalise_phone("0577-88123456") == "0577-88123456"
    with pytest.raises(IdentifierError):
        normalise_phone("1234")
