import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hr.org.nip import build_nip, parse_nip


def test_valid_nip_is_parsed_into_its_parts():
    parsed = parse_nip("198503142010022001")
    assert parsed.birth_date == dt.date(1985, 3, 14)
    assert parsed.cpns_start == dt.date(2010, 2, 1)
    assert parsed.gender == "F"
    assert parsed.sequence == 1


def test_spaces_are_tolerated():
    assert parse_nip("19850314 201002 1 002").gender == "M"


def test_build_round_trips():
    nip = build_nip(birth_date=dt.date(1990, 12, 31), cpns_start=dt.date(2015, 7, 1), gender="M", sequence=42)
    assert nip == "199012312015071042"
    assert parse_nip(nip).sequence == 42


@pytest.mark.parametrize(
    ("nip", "code"),
    [
        ("12345", "nip_format"),
        ("19850314201002200A", "nip_format"),
        ("1985031420100220011", "nip_format"),
        ("198502302010022001", "nip_birth_date"),  # 30 February
        ("198513012010022001", "nip_birth_date"),  # month 13
        ("198503142010132001", "nip_cpns_start"),  # start month 13
        ("198503142010002001", "nip_cpns_start"),  # start month 00
        ("198503141980022001", "nip_cpns_before_birth"),
        ("198503142010023001", "nip_gender"),
        ("198503142010020001", "nip_gender"),
        ("198503142010022000", "nip_sequence"),
    ],
)
def test_each_kind_of_invalid_nip_has_its_own_clear_error(nip, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_nip(nip)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]  # a human-readable message naming the problem


def test_error_message_is_translated_to_indonesian():
    from django.utils import translation

    with translation.override("id"), pytest.raises(ValidationError) as excinfo:
        parse_nip("123")
    assert "harus" in excinfo.value.messages[0]


@pytest.mark.django_db
def test_employee_clean_checks_birth_date_and_gender_against_nip(org):
    from tests.factories import EmployeeFactory

    emp = EmployeeFactory(unit=org["DIR1"], nip="198503142010022001", birth_date=dt.date(1985, 3, 15), gender="M")
    with pytest.raises(ValidationError) as excinfo:
        emp.full_clean()
    assert set(excinfo.value.message_dict) >= {"birth_date", "gender"}
