"""Template filters over `intranet.core.indonesian`: `{{ n|terbilang }}`, `{{ n|bilangan }}` ("5 (lima)"),
`{{ d|tanggal }}` ("5 Desember 2026"), `{{ d|bulan_tahun }}` ("Oktober 2026"), `{{ n|rupiah_terbilang }}`."""

from django import template

from intranet.core import indonesian

register = template.Library()


def _or_empty(func):
    def wrapped(value):
        return "" if value is None or value == "" else func(value)

    wrapped.__name__ = func.__name__
    wrapped.__doc__ = func.__doc__
    return wrapped


register.filter("terbilang", _or_empty(indonesian.terbilang))
register.filter("bilangan", _or_empty(indonesian.counted))
register.filter("tanggal", _or_empty(indonesian.long_date))
register.filter("bulan_tahun", _or_empty(indonesian.month_year))
register.filter("rupiah_terbilang", _or_empty(indonesian.rupiah_words))
