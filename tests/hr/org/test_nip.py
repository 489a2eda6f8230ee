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


# PPPK: BKN issues PPPK numbers with the year of appointment and the PPPK code 21 where a civil servant's NIP has the
# CPNS start month.
def test_pppk_nip_is_accepted_and_read_as_pppk():
    parsed = parse_nip("199203142022212001")
    assert parsed.pppk
    assert parsed.birth_date == dt.date(1992, 3, 14)
    assert parsed.cpns_start == dt.date(2022, 1, 1)  # the year of appointment only
    assert parsed.gender == "F" and parsed.sequence == 1
    assert not parse_nip("198503142010022001").pppk


def test_pppk_nip_round_trips():
    nip = build_nip(birth_date=dt.date(1990, 12, 31), cpns_start=dt.date(2023, 7, 1), gender="M", sequence=5, pppk=True)
    assert nip == "199012312023211005"
    assert parse_nip(nip).pppk and parse_nip(nip).cpns_start == dt.date(2023, 1, 1)


@pytest.mark.parametrize(
    ("nip", "code"),
    [
        ("199203141992212001", "nip_cpns_before_birth"),  # appointed in the year of birth
        ("199203142022213001", "nip_gender"),
        ("199203142022212000", "nip_sequence"),
        ("199203142022222001", "nip_cpns_start"),  # 22 is neither a month nor the PPPK code
    ],
)
def test_invalid_pppk_nip_has_its_own_clear_error(nip, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_nip(nip)
    assert excinfo.value.code == code


@pytest.mark.django_db
def test_employee_clean_matches_a_pppk_nip_with_the_pppk_status(org):
    from tests.factories import EmployeeFactory

    nip = "199203142022212001"
    wrong = EmployeeFactory(unit=org["DIR1"], nip=nip, birth_date=dt.date(1992, 3, 14), gender="F")
    with pytest.raises(ValidationError) as excinfo:
        wrong.full_clean()
    assert "employment_type" in excinfo.value.message_dict
    right = EmployeeFactory(
        unit=org["DIR1"],
        nip="199203142022212002",
        birth_date=dt.date(1992, 3, 14),
        gender="F",
        employment_type="PPPK",
        golongan="",
        pppk_grade="IX",
    )
    right.full_clean()
    civil = EmployeeFactory(unit=org["DIR1"], employment_type="PPPK", golongan="", pppk_grade="IX")
    with pytest.raises(ValidationError) as excinfo:
        civil.full_clean()
    assert "employment_type" in excinfo.value.message_dict
