"""Money is CNY with two decimals (DOMAIN: money)."""

import unicodedata
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Every amount of a transaction (orders, invoices, payments, limits): up to ¥999,999,999,999.99.
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}
# A company's figures on its profile card (registered and working capital, annual turnover),
# which may run a hundred times larger: up to ¥99,999,999,999,999.99.
COMPANY_FIGURE_FIELD = {"max_digits": 16, "decimal_places": 2}
TOO_LARGE = Decimal("1e12")


def money(value) -> str:
    """CNY with two places and thousands separators: ¥12,345.60."""
    if value is None or value == "":
        return ""
    return f"¥{value:,.2f}"


def number_text(value) -> str:
    """A number as people type it — full-width digits, thousands separators, a ¥ sign — as
    plain digits: "￥１,２００" → "1200"."""
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).replace(",", "").replace(
        "¥", "").strip()


def read_decimal(value) -> Decimal:
    """number_text as a Decimal. Raises ValueError("invalid") or ValueError("too_large")
    (beyond any amount column)."""
    try:
        number = Decimal(number_text(value))
    except (InvalidOperation, ValueError):
        raise ValueError("invalid") from None
    if not number.is_finite():
        raise ValueError("invalid")
    if abs(number) >= TOO_LARGE:
        raise ValueError("too_large")
    return number


def decimal_or_refuse(value, *, field: str, label: str) -> Decimal:
    """read_decimal for services: a bad number is refused with a message naming the field."""
    from django.utils.translation import gettext as _

    from kehu.core.errors import ValidationFailed

    try:
        return read_decimal(value)
    except ValueError as exc:
        if str(exc) == "too_large":
            raise ValidationFailed(_("%(label)s is too large.") % {"label": label},
                                   field_errors={field: [_("The number is too large.")]}) from None
        raise ValidationFailed(_("%(label)s must be a number.") % {"label": label},
                               field_errors={field: [_("Enter a number.")]}) from None
