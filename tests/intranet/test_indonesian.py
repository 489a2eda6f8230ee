"""Numbers in Indonesian words (terbilang) and Indonesian long dates, as official documents write them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from intranet.core.indonesian import counted, long_date, month_year, rupiah_words, terbilang


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (100, "seratus"),
        (111, "seratus sebelas"),
        (1_000, "seribu"),
        (1_001, "seribu satu"),
        (2_000, "dua ribu"),
        (11_000, "sebelas ribu"),
        (100_000, "seratus ribu"),
        (1_000_000, "satu juta"),
        (1_000_000_000, "satu miliar"),
        (5_275_300, "lima juta dua ratus tujuh puluh lima ribu tiga ratus"),
        (
            999_999_999_999,
            "sembilan ratus sembilan puluh sembilan miliar sembilan ratus sembilan puluh sembilan juta sembilan ratus "
            "sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan",
        ),
        (1_000_000_000_000, "satu triliun"),
    ],
)
def test_terbilang(number, words):
    assert terbilang(number) == words
    assert terbilang(Decimal(number)) == words


def test_terbilang_refuses_fractions_and_says_minus():
    assert terbilang(-5) == "minus lima"
    with pytest.raises(ValueError):
        terbilang(Decimal("1.5"))


def test_amounts_days_and_dates():
    assert rupiah_words(Decimal("1000000")) == "satu juta rupiah"
    assert counted(5) == "5 (lima)"
    assert long_date(dt.date(2026, 12, 5)) == "5 Desember 2026"
    assert month_year(dt.date(2026, 10, 1)) == "Oktober 2026"


def test_timestamps_are_dated_on_the_agency_clock(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    late_utc = dt.datetime(2026, 12, 4, 18, 30, tzinfo=dt.UTC)  # 01:30 on 5 December in Jakarta
    assert long_date(late_utc) == "5 Desember 2026"
    assert month_year(dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.UTC)) == "Oktober 2026"


def test_template_filters():
    html = Template(
        "{% load indonesian %}{{ n|bilangan }} hari · {{ d|tanggal }} · {{ d|bulan_tahun }} · {{ r|rupiah_terbilang }}"
        "{{ none|tanggal }}"
    ).render(Context({"n": 12, "d": dt.date(2027, 1, 31), "r": 0, "none": None}))
    assert html == "12 (dua belas) hari · 31 Januari 2027 · Januari 2027 · nol rupiah"
