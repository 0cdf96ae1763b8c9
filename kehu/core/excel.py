"""Excel import and export shared by every list (INS-2).

Export streams rows with xlsxwriter in constant memory and guards against formula
injection: a list's export is a list of Columns and one export_response(). Import reads
.xlsx with python-calamine (fast) and .csv with the csv module, returning plain rows with
their spreadsheet line numbers (core.importing maps them to fields)."""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed

EXPORT_CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The formula guard, one definition for the export (which adds it) and every import (which takes
# exactly it away again), so that an exported file re-imports unchanged (INS-2).
GUARD = "'"
# What a spreadsheet runs: text starting with = or @ (or a control character); text starting
# with + or - only when something after the sign makes a formula — a name, a call, a reference
# to another sheet or program (letters, ( ! | " = & …). "+86 21 5555 1234", "-5" or "-3号楼"
# are text a person typed, not formulas, and are written as they are.
_FORMULA = re.compile(r"[=@\t\r\x00]|[+-].*[^0-9\s.,/()+\-#*%\u0080-\U0010ffff]", re.DOTALL)
# What a guarded cell looks like: the guard (or several) before the first character of a formula.
_GUARDED = re.compile(r"'+[=@+\-\t\r\x00]")


def needs_guard(text: str) -> bool:
    """A spreadsheet would run this text as a formula — or it already looks guarded, and is
    guarded once more so that the import's unguard() gives it back as it was."""
    return bool(_FORMULA.match(text) or _GUARDED.match(text))


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with the guard (a quote)."""
    if isinstance(value, str) and needs_guard(value):
        return GUARD + value
    return value


def unguard(value):
    """The text of a cell as the export had it before safe_cell(): exactly one guard taken off
    a guarded cell (also a file exported before the guard was narrowed, e.g. '+86 21 …)."""
    if isinstance(value, str) and _GUARDED.match(value):
        return value[len(GUARD):]
    return value


def cell_text(value) -> str:
    """A list-valued cell as an import reads it back ("Road, Rail"; empty for none)."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value)
    return str(value)


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
            elif text := cell_text(value):  # an empty text or list is an empty cell
                sheet.write_string(r, c, safe_cell(text))
    sheet.set_column(0, max(len(headers) - 1, 0), 16)
    book.close()
    return buffer.getvalue()


def read_table(uploaded, *, encoding: str = "auto") -> tuple[list[str], list[tuple[int, list]]]:
    """Read an uploaded .xlsx or .csv: (headers, [(line_number, cells)]). Empty rows are
    dropped; line numbers are those a user sees in the spreadsheet. `encoding` is that of a CSV
    file: "auto", or one of CSV_ENCODINGS."""
    name = check_upload(uploaded)
    data = uploaded.read(settings.KEHU_IMPORT_MAX_BYTES + 1)
    if len(data) > settings.KEHU_IMPORT_MAX_BYTES:  # a body whose declared size lied
        raise ValidationFailed(_("The file is too large; the limit is %(limit)d MB.")
                               % {"limit": settings.KEHU_IMPORT_MAX_BYTES // 1_048_576})
    if name.endswith(".csv"):
        rows = _read_csv(decode_csv(data, encoding))
    elif name.endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(data)
    else:  # pragma: no cover - check_upload refused it
        raise ValidationFailed(_("Please upload an .xlsx or .csv file."))
    if not rows:
        raise ValidationFailed(_("The file is empty."))
    headers = [str(h or "").strip() for h in rows[0]]
    body = []
    for line, cells in enumerate(rows[1:], start=2):
        if any(str(c).strip() for c in cells if c is not None):
            body.append((line, [unguard(c) for c in cells] + [None] * (len(headers) - len(cells))))
    if len(body) > settings.KEHU_IMPORT_MAX_ROWS:
        raise _too_many_rows(f"{len(body):,}")
    return headers, body


def check_upload(uploaded) -> str:
    """Refuse a file over KEHU_IMPORT_MAX_BYTES (by its declared size) or of another type than
    .xlsx/.csv before reading it — also before it is queued as a background job (core.jobs).
    Returns its name in lower case."""
    name = (getattr(uploaded, "name", "") or "").lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.KEHU_IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("The file is too large (%(size)d MB); the limit is %(limit)d MB.")
            # rounded up, so that a file just over the limit never reads "2 MB; the limit is 2 MB"
            % {"size": -(-size // 1_048_576), "limit": settings.KEHU_IMPORT_MAX_BYTES // 1_048_576}
        )
    if not name.endswith((".csv", ".xlsx", ".xlsm")):
        raise ValidationFailed(_("Please upload an .xlsx or .csv file."))
    return name


def _too_many_rows(count) -> ValidationFailed:
    return ValidationFailed(_("The file has %(count)s rows; at most %(limit)s can be imported at once.")
                            % {"count": count, "limit": f"{settings.KEHU_IMPORT_MAX_ROWS:,}"})


CSV_ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030", "big5": "Big5"}


def decode_csv(data: bytes, encoding: str = "auto") -> str:
    """The text of a CSV file, never silently garbled. UTF-8 (with or without BOM) is recognised
    by itself. Simplified (GB18030) and traditional (Big5) Chinese use the same byte ranges, so a
    file that reads both ways is taken as the one in which its characters are nearly all common
    ones; otherwise the user is asked to choose."""
    if encoding in CSV_ENCODINGS:
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise ValidationFailed(_("Line %(line)d of the CSV file is not %(encoding)s; choose another encoding.")
                                   % {"line": line, "encoding": CSV_ENCODINGS[encoding]}) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    readings = {}
    for candidate in ("gb18030", "big5"):
        try:
            readings[candidate] = data.decode(candidate)
        except UnicodeDecodeError:
            continue
    if len(readings) == 1:
        return next(iter(readings.values()))
    for candidate in readings:
        if _mostly_common(readings[candidate], candidate):
            return readings[candidate]
    if readings:
        raise ValidationFailed(_("The CSV file could be simplified (GB18030) or traditional (Big5) Chinese: choose "
                                 "its encoding and upload it again."))
    raise ValidationFailed(_("The CSV file is neither UTF-8, GB18030 nor Big5 encoded."))


def _mostly_common(text: str, encoding: str) -> bool:
    """Nearly all Chinese characters of `text` are common ones of the encoding: GB2312's for
    simplified, the frequent-character block (lead byte A4–C6) for Big5. Text of the one encoding
    read as the other is not: its characters scatter over the rare blocks."""
    chinese = [c for c in text[:100_000] if ord(c) > 0x2E80]  # a sample says it; a whole file takes long
    if not chinese:
        return True
    common = 0
    for c in chinese:
        try:
            code = c.encode("gb2312" if encoding == "gb18030" else "big5")
        except UnicodeEncodeError:
            continue
        common += encoding == "gb18030" or 0xA4 <= code[0] <= 0xC6 or code[0] == 0xA1  # A1: punctuation
    return common >= 0.9 * len(chinese)


def _read_csv(text: str) -> list[list]:
    """Rows of a CSV file, read row by row and stopped past the row limit (a file of empty lines
    must not fill the memory); any line ending, Mac's lone CR included; a damaged line is named,
    never a 500."""
    reader = csv.reader(io.StringIO(text, newline=None))
    rows, filled = [], 0
    limit = settings.KEHU_IMPORT_MAX_ROWS
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                filled += 1
                rows.append(row)
            else:
                rows.append(())  # kept for the line numbers, one shared empty tuple
            # Stopped at twice the limit (a smaller excess is counted exactly by read_table), or
            # at more blank lines than any spreadsheet holds: memory stays bounded.
            if filled > 2 * limit + 1 or len(rows) > 4 * limit + 1000:
                raise _too_many_rows(_("more than %(limit)s") % {"limit": f"{2 * limit:,}"})
    except csv.Error as exc:
        raise ValidationFailed(_("Line %(line)d of the CSV file cannot be read: %(error)s")
                               % {"line": reader.line_num, "error": exc}) from exc
    return rows


# A sheet wider than this is no import of ours (the customer card has about 60 columns); and
# the grid a reader allocates (rows × columns) stays under the row limit times this many cells.
MAX_COLUMNS = 200
MAX_CELLS_PER_ROW = 80
# A cell's or a row's reference (the namespace prefix some writers use, e.g. <x:c>, allowed).
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _first_sheet_path(book: zipfile.ZipFile) -> str:
    """The part holding the workbook's first sheet (the one calamine reads as index 0)."""
    from defusedxml import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    first = ElementTree.fromstring(book.read("xl/workbook.xml")).find(f"{main}sheets/{main}sheet")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == first.get(relation))
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _check_sheet_size(data: bytes) -> None:
    """Refuse a sheet whose cells span more rows or columns than an import takes, before any
    reader allocates its grid: three cells at A1, A2 and XFD1048576 make a 1,950-byte file
    whose grid would need hundreds of gigabytes. The sheet's XML is scanned in chunks."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        path = _first_sheet_path(book)
        if book.getinfo(path).file_size > 100 * settings.KEHU_IMPORT_MAX_BYTES:  # a zip bomb
            raise _too_many_rows(_("too many"))
        rows = columns = 0
        tail = b""
        with book.open(path) as sheet:
            while chunk := sheet.read(1 << 20):
                text = tail + chunk
                for letters, number in _CELL_REF.findall(text):
                    rows, columns = max(rows, int(number)), max(columns, _column_number(letters))
                rows = max([rows, *map(int, _ROW_REF.findall(text))])
                tail = text[-64:]
    except (zipfile.BadZipFile, KeyError, StopIteration, AttributeError, ValueError, SyntaxError) as exc:
        raise ValidationFailed(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from exc
    if rows > settings.KEHU_IMPORT_MAX_ROWS + 1:
        raise _too_many_rows(f"{rows - 1:,}")
    if columns > MAX_COLUMNS:
        raise ValidationFailed(_("The sheet has %(count)d columns; an import reads at most %(limit)d.")
                               % {"count": columns, "limit": MAX_COLUMNS})
    if rows * columns > (settings.KEHU_IMPORT_MAX_ROWS + 1) * MAX_CELLS_PER_ROW:
        raise ValidationFailed(_("The sheet has %(rows)d rows of %(columns)d columns: too large for one import; "
                                 "split it into smaller files.") % {"rows": rows, "columns": columns})


def _read_xlsx(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    _check_sheet_size(data)
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
