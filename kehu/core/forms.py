"""Form helpers shared by every app."""

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy, pgettext_lazy

from kehu.core.excel import check_upload, read_table

# A hidden field (the version, the step) was missing or altered: the page was out of date.
STALE_FORM = gettext_lazy("The form was incomplete or out of date; nothing was changed. Reload the page and try again.")


# The empty first option of every dropdown: 请选择 / Choose…, never Django's "---------".
# Forms get it through BootstrapFormMixin, hand-written selects through {% empty_choice %}.
CHOOSE = pgettext_lazy("empty dropdown", "Choose…")
DASHES = BLANK_CHOICE_DASH[0][1]


def choose_instead_of_dashes(field) -> None:
    """Name a dropdown's empty option CHOOSE: a model choice's empty_label, and a choice
    field's ("", "---------") from a blank model field or a hand-made list."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField) and not callable(field.choices):
        choices = list(field.choices)
        if any(value == "" and label == DASHES for value, label in choices):
            field.choices = [(value, CHOOSE if value == "" and label == DASHES else label) for value, label in choices]


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, names every dropdown's empty option
    请选择 / Choose… and marks invalid fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choose_instead_of_dashes(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


def apply_field_errors(form, exc) -> None:
    """Copy a domain error onto a form: field errors where they belong, the message on top."""
    for field, messages in (exc.field_errors or {}).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not exc.field_errors:
        form.add_error(None, exc.message)


def apply_line_errors(form, exc) -> None:
    """A refusal of a form with lines (an order, a return): the message on top — line errors
    name their line, "Line 2: …" — and field errors on the head's fields."""
    form.add_error(None, exc.message)
    for field, errors in (exc.field_errors or {}).items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)


class ImportFileForm(BootstrapFormMixin, forms.Form):
    """The upload of every import page: the file, and its encoding when it is a CSV file (found by
    itself unless the file could be read two ways; then the user chooses)."""

    file = forms.FileField(label=gettext_lazy("file (.xlsx or .csv)"))
    encoding = forms.ChoiceField(label=gettext_lazy("encoding of a CSV file"), required=False, initial="auto",
                                 choices=[("auto", gettext_lazy("detect by itself")), ("utf-8", "UTF-8"),
                                          ("gb18030", gettext_lazy("GB18030 / GBK (simplified Chinese)")),
                                          ("big5", gettext_lazy("Big5 (traditional Chinese)"))])

    def table(self):
        """(headers, rows) of the uploaded file (core.excel.read_table); a ValidationFailed says why not."""
        return read_table(self.cleaned_data["file"], encoding=self.cleaned_data.get("encoding") or "auto")

    def background(self, kind: str, *, by, params: dict | None = None):
        """A background job of `kind` (core.jobs) for the uploaded file when it is too large to
        import while the page waits (KEHU_JOB_INLINE_BYTES), else None: the page then imports
        it at once. A file too large or of another type is refused here (ValidationFailed)."""
        from kehu.core import jobs

        upload = self.cleaned_data["file"]
        check_upload(upload)
        if not jobs.waits(upload.size):
            return None
        return jobs.start(kind, by=by, upload=upload,
                          params={"encoding": self.cleaned_data.get("encoding") or "auto", **(params or {})})
