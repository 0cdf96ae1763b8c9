"""The product import as a background job (core.jobs, ORD-1, INS-2): the sheet read in the
worker and checked and written by services.product_import, all or nothing."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.core.excel import read_table
from kehu.core.jobs import import_result
from kehu.sales import services
from kehu.sales.forms import product_rows

PRODUCT_IMPORT = "sales.product_import"


def import_file(work) -> dict:
    with work.open() as handle:
        headers, body = read_table(handle, encoding=work.params.get("encoding") or "auto")
    rows, unknown = product_rows(headers, body)
    work.progress(0, len(rows), force=True)
    result = services.product_import(by=work.by, rows=rows, progress=work.progress)
    if result.refused:
        message = ngettext("Nothing was imported: %(count)d row has problems.",
                           "Nothing was imported: %(count)d rows have problems.",
                           len(result.errors)) % {"count": len(result.errors)}
    else:
        message = _("Products imported: %(created)d new, %(updated)d updated.") % result.counts()
    return import_result(result, message=message, unknown=unknown)
