"""core.excel: the declarative export every list and report uses (INS-2)."""

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import openpyxl

from conftest import rule
from kehu.core.excel import Column, export_response, field_column


def sheet_of(response) -> list[tuple]:
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
    response = export_response(Product.objects.order_by("code"), columns, sheet_name="Products", filename="products")
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    rows = sheet_of(response)
    assert rows[0] == ("产品编码", "price", "on", "在售")
    # Text a spreadsheet would run as a formula is written with a leading quote.
    assert [r[:2] for r in rows[1:]] == [("'=HYPERLINK(1)", 2.5), ("P001", 100)]
    assert rows[1][2].date() == date(2025, 1, 2) and rows[1][3] == "是"


@rule("INS-2")
def test_it_exports_any_iterable_of_rows():
    response = export_response([{"n": 1}, {"n": 2}], [Column("n", "n")], sheet_name="x" * 40, filename="numbers")
    assert sheet_of(response) == [("n",), (1,), (2,)]
