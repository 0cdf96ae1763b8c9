"""The touch form (REL-2): what the salesperson types; the rules are services.touch_record's."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import CHOOSE
from kehu.relations.models import MarketReportKind, Touch, TouchKind


class TouchForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of touch"), choices=TouchKind.choices, initial=TouchKind.VISIT,
                             widget=forms.RadioSelect(attrs={"class": "btn-check"}))
    on = forms.DateField(label=_("date of the touch"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("purpose"), max_length=Touch._meta.get_field("purpose").max_length)
    notes = forms.CharField(label=_("notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("next step"), required=False,
                                max_length=Touch._meta.get_field("next_step").max_length)
    next_step_on = forms.DateField(label=_("next step by"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    location_consent = forms.BooleanField(label=_("Share the place my phone reports (visits only)"), required=False)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=10, decimal_places=6, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        for name, field in self.fields.items():
            if name not in ("kind", "location_consent") and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["location_consent"].widget.attrs["class"] = "form-check-input"


class MarketReportForm(forms.Form):
    """REL-5: what a salesperson learnt; the rules are services.market_report_file's."""

    kind = forms.ChoiceField(label=_("kind of information"), choices=[("", CHOOSE)] + MarketReportKind.choices)
    text = forms.CharField(label=_("what was learnt"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          else "form-control")


class MarketActionForm(forms.Form):
    note = forms.CharField(label=_("what was done"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
