"""core.importing: the header mapping, row reading and result every import shares (INS-2)."""

import pytest

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.core.importing import (
    ALL_OR_NOTHING,
    VALID_ROWS,
    ImportResult,
    RowError,
    check_lengths,
    header_aliases,
    map_headers,
    too_long,
)

LABELS = {"code": "product code 产品编码", "price": "list price 目录价"}


@rule("INS-2")
def test_it_maps_headers_by_word_and_label_in_either_language_first_column_winning():
    aliases = header_aliases({"code": ["code", "编码"], "price": ["price"]}, LABELS.get, chinese_parts=True)
    assert aliases == {"code": "code", "编码": "code", "productcode产品编码": "code", "产品编码": "code",
                       "price": "price", "listprice目录价": "price", "目录价": "price"}
    columns = map_headers(["编码", "Price", "Code", "colour", ""], aliases)
    assert columns.mapping == {0: "code", 1: "price"}
    assert columns.unknown == ["Code", "colour"]  # a second column for the code is not read
    assert columns.missing(["code", "name"]) == ["name"]


@rule("INS-2")
def test_it_reads_rows_by_field_with_their_line_numbers():
    columns = map_headers(["code", "price"], {"code": "code", "price": "price"})
    body = [(2, ["P1", 1.0]), (4, ["P2"])]
    assert columns.rows(body) == [(2, {"code": "P1", "price": 1.0}), (4, {"code": "P2"})]
    assert columns.rows(body, lambda value, name: f"{name}={value}") == [
        (2, {"code": "code=P1", "price": "price=1.0"}), (4, {"code": "code=P2"})]


@rule("INS-2")
def test_it_keeps_every_row_error_with_its_field_and_shows_them_by_line():
    result = ImportResult(total=3)
    result.add_errors(5, {"price": ["Enter a number.", "Too large."], "__all__": ["Bad row."]},
                      label=lambda name: LABELS.get(name, ""))
    result.add_error(2, "Same product as line 1.", "code")
    result.add_errors(5, ["the due date is before the invoice date."])
    assert result.row_errors[:2] == [RowError(5, "price", "list price 目录价: Enter a number."),
                                     RowError(5, "price", "list price 目录价: Too large.")]
    assert result.row_errors[2] == RowError(5, "__all__", "Bad row.")
    assert result.errors == [
        (5, ["list price 目录价: Enter a number.", "list price 目录价: Too large.", "Bad row.",
             "the due date is before the invoice date."]),
        (2, ["Same product as line 1."])]
    assert result.counts() == {"created": 0, "updated": 0, "merged": 0, "skipped": 0, "errors": 2}


@rule("INS-2")
def test_it_refuses_the_whole_file_for_one_bad_row_only_in_all_or_nothing_mode():
    assert ImportResult(mode=ALL_OR_NOTHING).refused is False
    bad = ImportResult(mode=ALL_OR_NOTHING)
    bad.add_error(2, "Bad.")
    assert bad.refused is True
    partial = ImportResult(mode=VALID_ROWS, created=4)
    partial.add_error(2, "Bad.")
    assert partial.refused is False and partial.counts()["created"] == 4


@rule("INS-2")
@pytest.mark.usefixtures("in_english")
def test_ins2_too_long_names_each_value_longer_than_its_model_field():
    """INS-2: one check for every import and service, driven by the model fields' max_length:
    text fields only (not choices, dates or unknown names), the value as given (trimmed)."""
    from kehu.receivables.models import Invoice, Payment

    row = {"number": "N" * 31, "note": "短", "issued_on": "2026-01-01", "customer": "K" * 99, "extra": "E" * 999,
           "source": "S" * 99}
    assert too_long(Invoice, row) == {"number": ["invoice number longer than 30 characters (it has 31)."]}
    assert too_long(Invoice, {"number": " " + "N" * 30 + " ", "note": None}) == {}
    assert too_long(Invoice, {"code": "C" * 31}, fields={"code": "number"}) == {
        "code": ["invoice number longer than 30 characters (it has 31)."]}
    with pytest.raises(ValidationFailed) as refused:
        check_lengths(Payment, reference="R" * 61, note="ok")
    assert (refused.value.message, refused.value.field_errors) == (
        "reference (bank, cheque or bill number) longer than 60 characters (it has 61).",
        {"reference": ["reference (bank, cheque or bill number) longer than 60 characters (it has 61)."]})
