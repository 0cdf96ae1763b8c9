"""The invoice import as a background job (core.jobs, AR-1, INS-2): from an uploaded sheet
(the page) or from the rows of the API, checked and written by services.invoice_import."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.core.errors import ValidationFailed
from kehu.core.excel import read_table
from kehu.core.jobs import import_result
from kehu.receivables import services
from kehu.receivables.forms import invoice_rows

INVOICE_IMPORT = "receivables.invoice_import"
INVOICE_IMPORT_ROWS = "receivables.invoice_import_rows"
INVOICE_IMPORT_BODY = "receivables.invoice_import_body"


def _outcome(result, unknown=()) -> dict:
    if result.errors:
        message = ngettext("Nothing was imported: %(count)d row has problems.",
                           "Nothing was imported: %(count)d rows have problems.",
                           len(result.errors)) % {"count": len(result.errors)}
    else:
        message = _("Invoices imported: %(count)d.") % {"count": result.created}
    return import_result(result, message=message, unknown=unknown)


def import_file(work) -> dict:
    """The import page's sheet."""
    with work.open() as handle:
        headers, body = read_table(handle, encoding=work.params.get("encoding") or "auto")
    rows, unknown = invoice_rows(headers, body)
    work.progress(0, len(rows), force=True)
    return _outcome(services.invoice_import(by=work.by, rows=rows, progress=work.progress), unknown)


def import_rows(work) -> dict:
    """The API's rows, numbered from 1."""
    rows = list(enumerate(work.data(), start=1))
    work.progress(0, len(rows), force=True)
    return _outcome(services.invoice_import(by=work.by, rows=rows, progress=work.progress))


def import_body(work) -> dict:
    """The API's body, too large to be read in the request: `{"rows": [...]}` as the endpoint
    documents it, read and checked here. A row that is not an object, or a value that is not
    text or a number, is reported by its line like any other bad row."""
    try:
        body = work.data()
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("The body is not JSON: send {\"rows\": [...]}.")) from None
    items = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise ValidationFailed(_("The body needs \"rows\", a list of invoices."))
    if len(items) > settings.KEHU_IMPORT_MAX_ROWS:
        raise ValidationFailed(_("At most %(limit)d rows at a time.") % {"limit": settings.KEHU_IMPORT_MAX_ROWS})
    rows, problems = [], []
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append((line, [_("A row is an object of the columns.")]))
            continue
        row, bad = {}, []
        for name in services.INVOICE_COLUMNS:
            value = item.get(name)
            if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
                bad.append(_("%(column)s: text or a number.") % {"column": name})
            else:
                row[name] = None if value is None else str(value)
        if bad:
            problems.append((line, bad))
        else:
            rows.append((line, row))
    work.progress(0, len(items), force=True)
    return _outcome(services.invoice_import(by=work.by, rows=rows, progress=work.progress, problems=problems))
