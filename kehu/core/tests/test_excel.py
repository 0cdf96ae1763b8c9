"""core/excel.py called directly (INS-2): cells a spreadsheet would run as formulas are
neutralised on export; declarative columns (Column, export_response) read attribute paths,
keys, methods and callables; .xlsx and .csv uploads are read into a header row and numbered
rows, with the refusals every import shares."""

import datetime
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.core.excel import (
    XLSX_CONTENT_TYPE,
    Column,
    export_response,
    field_column,
    read_table,
    safe_cell,
    unguard,
    write_xlsx,
    xlsx_response,
)

pytestmark = pytest.mark.usefixtures("in_english")


def upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content)


def sheet_of(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


@rule("INS-2")
@pytest.mark.parametrize(("text", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("+A1", "'+A1"),
    ("-SUM(A1:A9)", "'-SUM(A1:A9)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("\x00x", "'\x00x"),
    # text that looks guarded is guarded once more, so that the import gives it back as it was
    ("'=1+1", "''=1+1"),
    ("'-3号楼", "''-3号楼"),
    # text a person typed, which no spreadsheet runs, is written as it is
    ("+86 21 5555 1234", "+86 21 5555 1234"),
    ("+86 (21) 5555-1234 #8", "+86 (21) 5555-1234 #8"),
    ("-5", "-5"),
    ("-3号楼 201室", "-3号楼 201室"),
    ("+稳健经营\n-不赊欠", "+稳健经营\n-不赊欠"),
    ("'引号", "'引号"),
    ("上海=恒丰", "上海=恒丰"),
    ("1+1", "1+1"),
    ("", ""),
])
def test_it_neutralises_text_that_a_spreadsheet_would_run(text, written):
    """INS-2: what a spreadsheet would run gets the guard; unguard() takes exactly it away."""
    assert safe_cell(text) == written
    assert unguard(written) == text


@rule("INS-2")
def test_it_reads_back_exactly_what_it_wrote_also_from_an_older_export():
    """INS-2: an export read by the import gives the text back, without the guard; a file
    exported while "+86 …" was still guarded ('+86 …) is read without the quote too."""
    values = ["=1+1", "+86 138", "-2", "@SUM(A1)", "'=x", "'-3号楼", "it's", "1+1"]
    headers, rows = read_table(upload("export.xlsx", write_xlsx(["a", "b", "c", "d", "e", "f", "g", "h"], [values])))
    assert rows == [(2, values)]
    assert read_table(upload("older.csv", "phone,address\n'+86 21 5555 1234,'-3号楼\n".encode()))[1] == [
        (2, ["+86 21 5555 1234", "-3号楼"])]


@rule("INS-2")
def test_it_writes_formula_like_text_as_quoted_text_and_lists_as_text():
    values = ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "=HYPERLINK(\"http://x\")", "1+1", ["公路", "铁路"], []]
    headers = [str(v) for v in values]
    sheet = sheet_of(write_xlsx(headers, [values]))
    assert [c.value for c in sheet[2]] == ["'=1+1", "+86 138", "-2", "'@SUM(A1)", "'\tx", "'=HYPERLINK(\"http://x\")",
                                           "1+1", "公路, 铁路", None]
    assert {c.data_type for c in sheet[2] if c.value is not None} == {"s"}


@rule("INS-2")
def test_it_leaves_numbers_dates_and_empty_cells_as_they_are():
    day = datetime.date(2024, 3, 5)
    assert (safe_cell(-5), safe_cell(Decimal("-1.50")), safe_cell(day), safe_cell(None)) == (
        -5, Decimal("-1.50"), day, None)


@rule("INS-2")
def test_it_exports_each_kind_of_value_in_its_format_with_a_frozen_header():
    content = write_xlsx(["名称", "金额", "日期", "时间", "启用", "数量", "备注"], [
        ["=1+1", Decimal("1234.50"), datetime.date(2024, 3, 5), datetime.datetime(2024, 3, 5, 8, 30), True, 3, None],
        ["-5", Decimal("0"), None, None, False, 2.5, "@x"],
    ], sheet_name="很长的工作表名称" * 5)
    sheet = sheet_of(content)
    assert sheet.title == ("很长的工作表名称" * 5)[:31]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [c.value for c in sheet[1]] == ["名称", "金额", "日期", "时间", "启用", "数量", "备注"]
    assert [c.value for c in sheet[2]] == ["'=1+1", 1234.5, datetime.datetime(2024, 3, 5),
                                           datetime.datetime(2024, 3, 5, 8, 30), "Yes", 3, None]
    assert [c.number_format for c in sheet[2]][:4] == ["General", "#,##0.00", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"]
    assert [c.value for c in sheet[3]] == ["-5", 0, None, None, "No", 2.5, "'@x"]
    assert sheet.max_row == 3


@rule("INS-2")
def test_it_exports_an_empty_list_as_its_header_alone():
    sheet = sheet_of(write_xlsx(["code"], []))
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["code"]]


@rule("INS-2")
def test_it_sends_an_export_as_a_dated_download():
    response = xlsx_response(b"xlsx-bytes", "orders")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE and response.content == b"xlsx-bytes"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="orders-') and disposition.endswith('.xlsx"')
    assert len(disposition) == len('attachment; filename="orders-YYYYmmdd-HHMM.xlsx"')


@rule("INS-2")
def test_it_reads_an_xlsx_with_trimmed_headers_and_spreadsheet_line_numbers():
    content = write_xlsx([" 客户编码 ", "金额", "日期"], [
        ["KH000001", Decimal("12.50"), datetime.date(2024, 3, 5)],
        [None, None, None],  # an empty row is dropped, its line number is not reused
        ["KH000002", 3, None],
    ])
    headers, rows = read_table(upload("发票.XLSX", content))
    assert headers == ["客户编码", "金额", "日期"]
    assert rows == [(2, ["KH000001", 12.5, datetime.date(2024, 3, 5)]), (4, ["KH000002", 3.0, ""])]


@rule("INS-2")
def test_it_reads_a_utf8_csv_with_or_without_bom_and_pads_short_rows():
    text = "code,name,phone\nKH1,甲商行\n,,\n  ,\nKH2,乙百货,021-1\n"
    for content in (text.encode("utf-8"), text.encode("utf-8-sig")):
        headers, rows = read_table(upload("customers.csv", content))
        assert headers == ["code", "name", "phone"]
        assert rows == [(2, ["KH1", "甲商行", None]), (5, ["KH2", "乙百货", "021-1"])]


@rule("INS-2")
def test_it_reads_a_csv_saved_by_chinese_excel_in_gb18030():
    headers, rows = read_table(upload("客户.csv", "编码,名称\nKH1,上海恒丰商贸\n".encode("gb18030")))
    assert (headers, rows) == (["编码", "名称"], [(2, ["KH1", "上海恒丰商贸"])])


@rule("INS-2")
@pytest.mark.parametrize(("name", "content", "message"), [
    ("customers.txt", b"code\nKH1\n", "Please upload an .xlsx or .csv file."),
    ("customers", b"code\nKH1\n", "Please upload an .xlsx or .csv file."),
    ("customers.csv", b"", "The file is empty."),
    ("customers.xls", b"\xd0\xcf\x11\xe0 old excel", "Please upload an .xlsx or .csv file."),
    ("customers.pdf", b"%PDF-1.4", "Please upload an .xlsx or .csv file."),
    ("customers.csv", b"\xff\xfe\xff", "The CSV file is neither UTF-8, GB18030 nor Big5 encoded."),
    ("customers.csv", "名称\n甲".encode("utf-16"), "The CSV file is neither UTF-8, GB18030 nor Big5 encoded."),
    ("customers.xlsx", b"not a zip at all", "The spreadsheet cannot be read: "),
    ("customers.xlsx", b"PK\x03\x04 not really a zip", "The spreadsheet cannot be read: "),
])
def test_it_refuses_a_file_it_cannot_read(name, content, message):
    with pytest.raises(ValidationFailed) as refused:
        read_table(upload(name, content))
    assert str(refused.value.message).startswith(message)


@rule("INS-2")
def test_it_refuses_a_file_over_the_size_limit_saying_both_sizes_in_megabytes(settings):
    settings.KEHU_IMPORT_MAX_BYTES = 2 * 1_048_576
    just_over = upload("big.csv", b"x" * (2 * 1_048_576 + 1))
    with pytest.raises(ValidationFailed) as refused:
        read_table(just_over)
    assert refused.value.message == "The file is too large (3 MB); the limit is 2 MB."
    assert just_over.file.tell() == 0  # refused before reading it
    at_the_limit = upload("ok.csv", (b"c" * 1023 + b"\n") * 2048)  # 2 MB exactly
    headers, rows = read_table(at_the_limit)
    assert (headers, len(rows), rows[-1][0]) == (["c" * 1023], 2047, 2048)


@rule("INS-2")
def test_it_refuses_more_rows_than_one_import_takes(settings):
    settings.KEHU_IMPORT_MAX_ROWS = 3
    assert len(read_table(upload("ok.csv", b"code\n1\n2\n\n3\n"))[1]) == 3
    with pytest.raises(ValidationFailed) as refused:
        read_table(upload("big.csv", b"code\n1\n2\n3\n4\n"))
    assert refused.value.message == "The file has 4 rows; at most 3 can be imported at once."


# --- declarative export columns --------------------------------------------------------------------

def rows_of(response) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


@rule("INS-2")
def test_it_reads_a_column_by_attribute_path_dict_key_method_or_callable():
    owner = SimpleNamespace(display_name="张伟", greeting=lambda: "你好")
    row = SimpleNamespace(customer=SimpleNamespace(owner=owner, code="KH1"), office=None, figures={"due": 5})
    assert Column("h", "customer.code").of(row) == "KH1"
    assert Column("h", "customer.owner.display_name").of(row) == "张伟"
    assert Column("h", "customer.owner.greeting").of(row) == "你好"
    assert Column("h", "figures.due").of(row) == 5
    assert Column("h", lambda r: r.figures["due"] * 2).of(row) == 10
    # A link missing along the path gives `missing`; a value that is None stays None.
    assert Column("h", "office.name").of(row) == ""
    assert Column("h", "office.name", missing=None).of(row) is None
    assert Column("h", "office").of(row) is None


@rule("INS-2")
def test_it_exports_a_queryset_with_headers_in_the_users_language_and_guards_formulas(product):
    from kehu.sales.models import Product

    Product.objects.create(code="=HYPERLINK(1)", name="-1+1", unit="袋", list_price=Decimal("2.50"), line="日化")
    columns = [field_column(Product, "code"), Column("price", "list_price"), Column("on", lambda p: date(2025, 1, 2)),
               field_column(Product, "active", value=lambda p: p.active)]
    with translation.override("zh-hans"):  # the module's tests run in English; the users' default is Chinese
        response = export_response(Product.objects.order_by("code"), columns, sheet_name="Products",
                                   filename="products")
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    rows = rows_of(response)
    assert rows[0] == ("产品编码", "price", "on", "在售")
    # Text a spreadsheet would run as a formula is written with a leading quote.
    assert [r[:2] for r in rows[1:]] == [("'=HYPERLINK(1)", 2.5), ("P001", 100)]
    assert rows[1][2].date() == date(2025, 1, 2) and rows[1][3] == "是"


@rule("INS-2")
def test_it_exports_any_iterable_of_rows():
    response = export_response([{"n": 1}, {"n": 2}], [Column("n", "n")], sheet_name="x" * 40, filename="numbers")
    assert rows_of(response) == [("n",), (1,), (2,)]


# --- hostile uploads (PLT-2, INS-2): refused with a message, no worker taken down ------------------------

def _sheet_with_cells(*refs) -> bytes:
    book = openpyxl.Workbook()
    for ref in refs:
        book.active[ref] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@rule("INS-2")
def test_it_refuses_a_tiny_sheet_whose_cells_span_the_whole_grid(settings):
    """A1, A2 and XFD1048576: under 2 kB, yet a reader that allocates the grid would need
    half a terabyte and abort the worker. Refused before any grid is built."""
    bomb = _sheet_with_cells("A1", "A2", "XFD1048576")
    assert len(bomb) < 10_000
    with pytest.raises(ValidationFailed, match="rows; at most"):
        read_table(upload("bomb.xlsx", bomb))
    wide = _sheet_with_cells("A1", "A2", "XFD2")
    with pytest.raises(ValidationFailed, match="16384 columns; an import reads at most 200"):
        read_table(upload("wide.xlsx", wide))
    settings.KEHU_IMPORT_MAX_ROWS = 5
    with pytest.raises(ValidationFailed, match="6 rows of 150 columns: too large"):
        read_table(upload("grid.xlsx", _sheet_with_cells("A1", "ET6")))
    with pytest.raises(ValidationFailed, match="rows; at most 5"):
        read_table(upload("tall.xlsx", _sheet_with_cells("A1", "A7")))
    headers, rows = read_table(upload("fine.xlsx", _sheet_with_cells("A1", "A6")))
    assert headers == ["x"] and [line for line, _cells in rows] == [6]


@rule("INS-2")
def test_it_stops_reading_a_csv_past_the_row_limit(settings):
    settings.KEHU_IMPORT_MAX_ROWS = 100
    with pytest.raises(ValidationFailed, match="more than 200 rows"):
        read_table(upload("lines.csv", b"a\n" * 1_000_000))


@rule("INS-2")
@pytest.mark.parametrize(("content", "rows"), [
    (b"name,phone\r\xe4\xb8\x8a\xe6\xb5\xb7,021\r\xe6\x9d\xad\xe5\xb7\x9e,0571\r", [["上海", "021"], ["杭州", "0571"]]),
    (b"name,phone\r\n\xe4\xb8\x8a\xe6\xb5\xb7,021\r\n", [["上海", "021"]]),
])
def test_it_reads_csv_with_any_line_ending_including_a_lone_cr(content, rows):
    headers, body = read_table(upload("mac.csv", content))
    assert headers == ["name", "phone"] and [cells for _line, cells in body] == rows


@rule("INS-2")
def test_it_names_the_line_of_a_damaged_csv_instead_of_failing():
    huge = b"name\n" + b"x" * 200_000 + b"\n"
    with pytest.raises(ValidationFailed, match="Line 2 of the CSV file cannot be read"):
        read_table(upload("huge.csv", huge))


@rule("INS-2")
def test_it_refuses_a_file_that_is_no_spreadsheet():
    with pytest.raises(ValidationFailed, match="cannot be read"):
        read_table(upload("fake.xlsx", b"PK\x03\x04 not really a zip"))


@rule("INS-2")
@pytest.mark.parametrize(("url", "role", "field"), [
    ("customers:import", "owner", "file"), ("sales:product_import", "admin", "file"),
    ("receivables:invoice_import", "finance", "file")])
def test_it_answers_every_import_page_with_a_message_for_a_sheet_bomb(url, role, field, users, client_for):
    from django.urls import reverse

    bomb = SimpleUploadedFile("bomb.xlsx", _sheet_with_cells("A1", "A2", "XFD1048576"))
    response = client_for(users[role]).post(reverse(url), {field: bomb})
    assert response.status_code == 200
    # The page speaks Chinese first: 1,048,575 rows are refused before any grid is read.
    assert "文件有 1,048,575 行，一次最多可导入 200,000 行。" in response.text


SIMPLIFIED = "编码,名称,地址\nKH1,上海恒丰商贸有限公司,上海市浦东新区张江路88号\nKH2,杭州西湖茶叶批发部,浙江省杭州市龙井路1号\n"
TRADITIONAL = "編碼,名稱,地址\nKH1,台北恆豐商貿有限公司,台北市信義區松高路88號\nKH2,高雄港都茶葉批發部,高雄市前鎮區中山路1號\n"


@rule("INS-2")
@pytest.mark.parametrize(("text", "encoding"), [
    (SIMPLIFIED, "utf-8"), (SIMPLIFIED, "utf-8-sig"), (SIMPLIFIED, "gb18030"),
    (TRADITIONAL, "big5"), (TRADITIONAL, "utf-8"), (TRADITIONAL, "gb18030"),
])
def test_it_reads_a_csv_in_each_chinese_encoding_by_itself(text, encoding):
    headers, rows = read_table(upload("客户.csv", text.encode(encoding)))
    assert headers == text.splitlines()[0].split(",")
    assert [cells[1] for _line, cells in rows] == [line.split(",")[1] for line in text.splitlines()[1:]]


@rule("INS-2")
def test_it_asks_for_the_encoding_of_a_csv_that_reads_two_ways_and_reads_it_as_chosen():
    """Bytes that are valid GB18030 and valid Big5, but common text in neither: never a guess."""
    content = "名称\n".encode("gb18030") + b"\xf9\xa1\xf9\xa2\xf9\xb0\n"
    with pytest.raises(ValidationFailed, match="choose its encoding"):
        read_table(upload("x.csv", content))
    assert read_table(upload("x.csv", content), encoding="big5")[1][0][1] == ["龤灨飌"]


@rule("INS-2")
def test_it_names_the_line_that_is_not_in_the_chosen_encoding():
    content = SIMPLIFIED.encode("utf-8") + "KH3,北京\n".encode("gb18030")
    with pytest.raises(ValidationFailed, match="Line 4 of the CSV file is not UTF-8"):
        read_table(upload("x.csv", content), encoding="utf-8")
