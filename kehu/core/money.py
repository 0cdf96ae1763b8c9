"""Money is CNY with two decimals (DOMAIN: money)."""

from decimal import Decimal

CENT = Decimal("0.01")


def money(value) -> str:
    """CNY with two places and thousands separators: ¥12,345.60."""
    if value is None or value == "":
        return ""
    return f"¥{value:,.2f}"
