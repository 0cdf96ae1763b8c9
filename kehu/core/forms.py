"""Form helpers shared by every app."""

from django import forms


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes and marks invalid fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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
