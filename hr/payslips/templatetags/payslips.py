"""Rupiah formatting: Indonesian grouping with dots, exact integers (no float on the way)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """3385400 → 'Rp3.385.400'; negative amounts keep their sign."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal(1))
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


@register.filter
def amount(value) -> str:
    """3385400 → '3.385.400' (no currency sign), for tables with a currency header."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal(1))
    return f"{int(amount):,}".replace(",", ".")
