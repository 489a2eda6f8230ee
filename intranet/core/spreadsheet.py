"""Spreadsheet (CSV/XLSX) formula-injection guard shared by every export."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """Text a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) gets a leading
    apostrophe; other values (numbers, dates, None) pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
