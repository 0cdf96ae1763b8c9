"""What every report page shares: a query-string form whose bad values are named in a
warning and replaced by their defaults, a period typed as two days (or a preset), and a
"group by" choice with its label. The pages render them with core/_report_head.html,
core/_period_form.html and core/_chart.html."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.forms import BootstrapFormMixin


class GroupBy:
    """The rows a report can be grouped by: [(value, label)], the first the default unless
    told. Iterates as its choices (the page's radio buttons)."""

    def __init__(self, choices, *, default: str | None = None):
        self.choices = list(choices)
        self.default = default or self.choices[0][0]

    def __iter__(self):
        return iter(self.choices)

    def field(self, label=None) -> forms.ChoiceField:
        return forms.ChoiceField(label=label or gettext_lazy("group by"), choices=self.choices, required=False)

    def label(self, value) -> str:
        """The label of `value` (the first column's heading, the export's first header)."""
        return str(dict(self.choices).get(value, value))


class ReportForm(BootstrapFormMixin, forms.Form):
    """A report's query string: a bad value is reported and replaced by its default."""

    def values(self, defaults: dict) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or default for name, default in defaults.items()}

    def problems(self) -> list[tuple[str, str]]:
        """(label, first error) of every value that was ignored."""
        self.is_valid()
        return [(str(self.fields[name].label) if name in self.fields else str(_("period")), errors[0])
                for name, errors in self.errors.items()]


class PeriodReportForm(ReportForm):
    """A report over a period typed as two days, named by `period_fields` (start, end): a
    period that ends before it starts is refused as a whole."""

    period_fields = ("start", "end")

    def clean(self):
        data = super().clean()
        start, end = (data.get(name) for name in self.period_fields)
        if start and end and start > end:
            raise forms.ValidationError(gettext_lazy("The period ends before it starts."))
        return data

    def typed_period(self) -> tuple[date | None, date | None]:
        """The days typed that are dates (none when the period ends before it starts)."""
        self.is_valid()
        data = self.cleaned_data if not self.non_field_errors() else {}
        return tuple(data.get(name) for name in self.period_fields)


def warn_ignored(request, form: ReportForm) -> None:
    """A bad value of a report's query string is named and replaced by its default."""
    for label, error in form.problems():
        messages.warning(request, _("“%(field)s” ignored: %(error)s") % {"field": label, "error": error})


def link(view_name: str, **params) -> str:
    """The URL of `view_name` with a query string (a report's export, the records behind it)."""
    return reverse(view_name) + "?" + urlencode(params)


def bar_chart(labels, series, *, horizontal: bool = False, stacked: bool = False, colors=None, pointer=None,
              height: str = "20rem", counts: bool = False) -> dict:
    """What core/charts.js draws: bars of each series [(name, values)] over `labels`, first
    label on top when `horizontal`, one bar per label when `stacked`; a legend when there is
    more than one series; amounts shown as money in the tooltip."""
    return {
        "labels": [str(label) for label in labels],
        "series": [{"name": str(name), "data": [float(value) for value in values]} for name, values in series],
        "horizontal": horizontal, "stacked": stacked, "legend": len(series) > 1, "colors": colors or [],
        "pointer": pointer, "height": height, **({"counts": True} if counts else {}),
    }
