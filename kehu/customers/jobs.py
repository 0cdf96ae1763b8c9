"""The customer import as background jobs (core.jobs, CUS-8, INS-2): the preview — the sheet
read and every row checked in the worker — and, for a large file, the commit. The preview's
result page is the import page with its preview and the commit form, as when the check ran
while the page waited."""

from types import SimpleNamespace

from django.shortcuts import render
from django.utils.translation import gettext as _

from kehu.core.excel import read_table
from kehu.core.jobs import import_result
from kehu.customers import importing

PREVIEW = "customers.import_preview"
COMMIT = "customers.import_commit"
SHOWN = 500  # bad and similar rows kept for the result page (the page shows as many)


def preview(work) -> dict:
    with work.open() as handle:
        headers, body = read_table(handle, encoding=work.params.get("encoding") or "auto")
    work.progress(0, len(body), force=True)
    report = importing.import_preview(by=work.by, headers=headers, rows=body, progress=work.progress)
    return {"token": report.token, "total": report.total, "valid": len(report.valid),
            "unknown": [str(header) for header in report.unknown_headers],
            "errors": [[line, [str(m) for m in messages]] for line, messages in report.errors],
            "duplicates": [[line, name, [{"name": c.name, "code": c.code} for c in found]]
                           for line, name, found in report.duplicates[:SHOWN]],
            "similar": len(report.duplicates)}


def preview_result(request, job):
    """The import page with the preview the job made and the form to commit it."""
    from kehu.customers.forms import ImportCommitForm

    result = job.result
    if job.status != job.Status.DONE:
        return render(request, "core/job_result.html", {"job": job, "heading": _("Import customers"),
                                                        "back": "customers:import", "result": result,
                                                        "errors": result.get("errors") or []})
    report = SimpleNamespace(total=result["total"], valid=range(result["valid"]), errors=result["errors"],
                             duplicates=result["duplicates"], unknown_headers=result["unknown"],
                             token=result["token"])
    return render(request, "customers/import.html", {
        "report": report, "commit_form": ImportCommitForm(initial={"token": result["token"]})})


def commit(work) -> dict:
    params = work.params
    report = importing.import_commit(by=work.by, token=params["token"], mode=params["mode"],
                                     on_duplicate=params["on_duplicate"], progress=work.progress)
    return import_result(report, message=commit_message(report))


def commit_message(report) -> str:
    return _("Imported %(created)d new customers, merged %(merged)d, skipped "
             "%(skipped)d similar ones and %(errors)d bad rows.") % report.counts()
