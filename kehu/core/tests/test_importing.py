"""core.importing: the header mapping, row reading and result every import shares (INS-2)."""

from conftest import rule
from kehu.core.importing import (
    ALL_OR_NOTHING,
    VALID_ROWS,
    ImportResult,
    RowError,
    header_aliases,
    map_headers,
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
