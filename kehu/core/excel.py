"""Excel import and export shared by every list (INS-2).

Export streams rows with xlsxwriter in constant memory and guards against formula
injection: a list's export is a list of Columns and one export_response(). Import reads
.xlsx with python-calamine (fast) and .csv with the csv module, returning plain rows with
their spreadsheet line numbers (core.importing maps them to fields)."""

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed

EXPORT_CHUNK = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, sheet_name: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF"})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, value.replace(tzinfo=None), stamp)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, bool):
                sheet.write_string(r, c, _("Yes") if value else _("No"))
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(safe_cell(str(value))))
    sheet.set_column(0, max(len(headers) - 1, 0), 16)
    book.close()
    return buffer.getvalue()


def read_table(uploaded) -> tuple[list[str], list[tuple[int, list]]]:
    """Read an uploaded .xlsx or .csv: (headers, [(line_number, cells)]). Empty rows are
    dropped; line numbers are those a user sees in the spreadsheet."""
    name = (getattr(uploaded, "name", "") or "").lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.KEHU_IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("The file is too large (%(size)d MB); the limit is %(limit)d MB.")
            # rounded up, so that a file just over the limit never reads "2 MB; the limit is 2 MB"
            % {"size": -(-size // 1_048_576), "limit": settings.KEHU_IMPORT_MAX_BYTES // 1_048_576}
        )
    data = uploaded.read()
    if name.endswith(".csv"):
        rows = _read_csv(data)
    elif name.endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(data)
    else:
        raise ValidationFailed(_("Please upload an .xlsx or .csv file."))
    if not rows:
        raise ValidationFailed(_("The file is empty."))
    headers = [str(h or "").strip() for h in rows[0]]
    body = []
    for line, cells in enumerate(rows[1:], start=2):
        if any(str(c).strip() for c in cells if c is not None):
            body.append((line, list(cells) + [None] * (len(headers) - len(cells))))
    if len(body) > settings.KEHU_IMPORT_MAX_ROWS:
        raise ValidationFailed(
            _("The file has %(count)d rows; at most %(limit)d can be imported at once.")
            % {"count": len(body), "limit": settings.KEHU_IMPORT_MAX_ROWS}
        )
    return headers, body


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(_("The CSV file is neither UTF-8 nor GB18030 encoded."))
    return [row for row in csv.reader(io.StringIO(text))]


def _read_xlsx(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise ValidationFailed(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from exc


def xlsx_response(content: bytes, name: str):
    """A download of `content` as name-YYYYmmdd-HHMM.xlsx (every export of every list)."""
    from django.http import HttpResponse
    from django.utils import timezone

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and how a row gives its value — an attribute
    path ("customer.owner.display_name"; a dict's keys are read too, a method is called) or
    a callable of the row. A link missing along the path (no owner) gives `missing`."""

    header: object  # a str or a lazy translation, read in the language of the request
    value: str | Callable
    missing: object = ""

    def of(self, row):
        if callable(self.value):
            return self.value(row)
        value = row
        for name in self.value.split("."):
            if value is None:
                return self.missing
            value = value[name] if isinstance(value, Mapping) else getattr(value, name)
            if callable(value):
                value = value()
        return value


def field_column(model, name: str, **kwargs) -> Column:
    """A column headed by the model field's verbose name."""
    return Column(model._meta.get_field(name).verbose_name, kwargs.pop("value", name), **kwargs)


def export_rows(rows, columns: Sequence[Column]) -> Iterable[list]:
    """The values of every row, a queryset read in chunks (constant memory)."""
    if hasattr(rows, "iterator"):
        rows = rows.iterator(chunk_size=EXPORT_CHUNK)
    for row in rows:
        yield [column.of(row) for column in columns]


def export_response(rows, columns: Sequence[Column], *, sheet_name: str, filename: str):
    """The download of `rows` (a queryset or any iterable) as the sheet `columns` describe:
    every list's and report's "Export to Excel"."""
    headers = [str(column.header) for column in columns]
    return xlsx_response(write_xlsx(headers, export_rows(rows, columns), sheet_name=str(sheet_name)), filename)
