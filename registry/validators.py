"""Checks of the national identifiers the registry stores, used by forms, the API, imports and the demo seed.

- GB 11643-1999 citizen identity number (公民身份号码): 6-digit address code, 8-digit birth date, 3-digit sequence
  (odd = male, even = female), ISO 7064 MOD 11-2 check character.
- GB 32100-2015 unified social credit code (统一社会信用代码): registration authority, organisation type, 6-digit
  division code, 9-character organisation code (GB 11714, with its own check character), MOD 31 check character.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
ID_CHECK = "10X98765432"
# First two digits of every GB/T 2260 province-level code, plus 71 (Taiwan) and 81–83 (Hong Kong, Macao and
# Taiwan residents' residence permits, which use the same 18-character scheme).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
EARLIEST_BIRTH = dt.date(1890, 1, 1)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
USCC_AUTHORITIES = frozenset("123456789ANY")
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


class IdentifierError(ValueError):
    """The identifier is malformed; the message says why in words an official understands."""


@dataclass(frozen=True)
class IdentityFacts:
    number: str
    birth_date: dt.date
    sex: str  # GB/T 2261.1: "1" male, "2" female
    address_code: str


def id_check_character(body: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: object) -> str:
    """What people type or what Excel stores: spaces, a lower-case x, a number that lost its digits."""
    text = str(value or "").strip().replace(" ", "").upper()
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", text) or re.fullmatch(r"\d{17,18}\.0", text):
        raise IdentifierError(
            "the identity number was stored as a number in Excel and lost its last digits: format the column as text"
        )
    return text


def check_identity_number(value: object, *, today: dt.date | None = None) -> IdentityFacts:
    number = normalise_id_number(value)
    if re.fullmatch(r"\d{15}", number):
        raise IdentifierError("this is an old 15-digit number: give the 18-character number on the current ID card")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentifierError(f"{number!r} is not 18 characters (17 digits and a digit or X)")
    if number[:2] not in PROVINCES:
        raise IdentifierError(f"{number[:6]} is not a Chinese division code (first six digits)")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(f"{number[6:14]} is not a possible date of birth (digits 7–14)") from None
    if not EARLIEST_BIRTH <= birth <= (today or dt.date.today()):
        raise IdentifierError(f"date of birth {birth.isoformat()} (digits 7–14) is impossible")
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise IdentifierError(f"the check character is {number[17]} but should be {expected}: a digit is wrong")
    return IdentityFacts(number, birth, "1" if int(number[16]) % 2 else "2", number[:6])


def org_code_check_character(body: str) -> str:
    total = sum(_char_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _char_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def uscc_check_character(body: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value: object) -> str:
    return str(value or "").strip().replace(" ", "").upper()


def check_credit_code(value: object) -> str:
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise IdentifierError(f"{code!r} is not 18 characters")
    bad = sorted({c for c in code if c not in USCC_CHARS})
    if bad:
        raise IdentifierError(f"{'、'.join(bad)} cannot appear in a credit code (I, O, S, V and Z are never used)")
    if code[0] not in USCC_AUTHORITIES:
        raise IdentifierError(f"{code[0]} is not a registration authority code (first character)")
    if not code[2:8].isdigit() or code[2:4] not in PROVINCES:
        raise IdentifierError(f"{code[2:8]} is not a division code (characters 3–8)")
    org_check = org_code_check_character(code[8:16])
    if code[16] != org_check:
        raise IdentifierError(
            f"the organisation code {code[8:17]} (characters 9–17) ends in {code[16]} but should end in {org_check}"
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise IdentifierError(f"the check character is {code[17]} but should be {expected}: a character is wrong")
    return code


PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def normalise_phone(value: object) -> str:
    text = re.sub(r"[\s()（）]", "", str(value or ""))
    if text.endswith(".0"):  # a number cell in Excel
        text = text[:-2]
    if text.startswith("+86"):
        text = text[3:]
    if text and not PHONE.match(text):
        raise IdentifierError(f"{text!r} is not an 11-digit mobile number or a landline with its area code")
    return text


def make_identity_number(address_code: str, birth: dt.date, sequence: int) -> str:
    """A well-formed number (for demo data and tests): sequence 0–999, odd for men."""
    body = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_character(body)


def make_credit_code(authority_type: str, division: str, org_body: str) -> str:
    """A well-formed credit code from its parts: 2 characters, 6-digit division, 8-character organisation code."""
    org = org_body + org_code_check_character(org_body)
    body = f"{authority_type}{division}{org}"
    return body + uscc_check_character(body)
