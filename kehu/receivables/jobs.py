"""The invoice import as a background job (core.jobs, AR-1, INS-2): from an uploaded sheet
(the page) or from the rows of the API, checked and written by services.invoice_import."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.core.excel import read_table
from kehu.core.jobs import import_result
from kehu.receivables import services
from kehu.receivables.forms import invoice_rows

INVOICE_IMPORT = "receivables.invoice_import"
INVOICE_IMPORT_ROWS = "receivables.invoice_import_rows"


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
