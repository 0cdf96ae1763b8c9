"""core/money.py called directly: CNY shown with two decimals, numbers read as people type
them (full-width digits, separators, ¥), and the refusals services give for bad numbers."""

from decimal import Decimal

import pytest

from kehu.core.errors import ValidationFailed
from kehu.core.money import CENT, MONEY_FIELD, TOO_LARGE, decimal_or_refuse, money, number_text, read_decimal

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("12345.6"), "¥12,345.60"),
    (Decimal("0"), "¥0.00"),
    (Decimal("999999999999.99"), "¥999,999,999,999.99"),
    (Decimal("1E+3"), "¥1,000.00"),
    (1200, "¥1,200.00"),
    (None, ""),
    ("", ""),
])
def test_it_shows_money_in_yuan_with_two_decimals_and_thousands_separators(value, shown):
    assert money(value) == shown


def test_it_keeps_every_amount_within_fourteen_digits_and_two_decimals():
    assert MONEY_FIELD == {"max_digits": 14, "decimal_places": 2}
    assert (CENT, TOO_LARGE) == (Decimal("0.01"), Decimal("1e12"))


@pytest.mark.parametrize(("typed", "text"), [
    ("￥１，２００", "1200"),
    ("¥1,200.50", "1200.50"),
    ("１２３．４５", "123.45"),
    ("  88 ", "88"),
    ("-5", "-5"),
    (1200, "1200"),
    (Decimal("1.50"), "1.50"),
    (None, ""),
])
def test_it_reads_numbers_as_people_type_them(typed, text):
    assert number_text(typed) == text


@pytest.mark.parametrize(("typed", "number"), [
    ("￥１，２００．５０", Decimal("1200.50")),
    ("0.005", Decimal("0.005")),
    ("-300", Decimal("-300")),
    ("999999999999.99", Decimal("999999999999.99")),
    ("1e3", Decimal("1E+3")),
    (7, Decimal("7")),
])
def test_it_reads_a_decimal_exactly(typed, number):
    read = read_decimal(typed)
    assert read == number and isinstance(read, Decimal)


@pytest.mark.parametrize("typed", ["abc", "", None, "1 200", "12,3.4.5", "NaN", "nan", "sNaN", "Infinity", "-Infinity",
                                   "inf", "１２ａ"])
def test_it_refuses_what_is_not_a_finite_number(typed):
    with pytest.raises(ValueError, match="^invalid$"):
        read_decimal(typed)


@pytest.mark.parametrize("typed", ["1000000000000", "1e12", "-1e12", "１０００００００００００００", "1e400"])
def test_it_refuses_numbers_beyond_any_amount_column(typed):
    with pytest.raises(ValueError, match="^too_large$"):
        read_decimal(typed)


def test_it_refuses_a_bad_number_naming_the_field_in_a_service():
    assert decimal_or_refuse("１２.５", field="amount", label="The amount") == Decimal("12.5")
    with pytest.raises(ValidationFailed) as invalid:
        decimal_or_refuse("NaN", field="amount", label="The amount")
    assert (invalid.value.message, invalid.value.field_errors) == (
        "The amount must be a number.", {"amount": ["Enter a number."]})
    with pytest.raises(ValidationFailed) as large:
        decimal_or_refuse("2e12", field="list_price", label="The list price")
    assert (large.value.message, large.value.field_errors) == (
        "The list price is too large.", {"list_price": ["The number is too large."]})
    assert (large.value.status, large.value.code) == (400, "validation")
