"""The touch form (REL-2): what the salesperson types; the rules are services.touch_record's."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import CHOOSE
from kehu.relations.models import (
    DealerCheck,
    FamilyOccasion,
    FamilyOccasionKind,
    MarketReportKind,
    PaymentBehaviour,
    RangeCarried,
    StockLevel,
    SupportKind,
    Touch,
    TouchKind,
)


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


def _length(name: str) -> int:
    return DealerCheck._meta.get_field(name).max_length


class DealerCheckForm(forms.Form):
    """REL-6: what the salesperson found at the dealer; the rules are services.dealer_check_record's."""

    month = forms.CharField(label=_("month checked"), max_length=10, widget=forms.TextInput(attrs={"type": "month"}),
                            help_text=_("YYYY-MM"))
    sales_growth = forms.DecimalField(label=_("sales growth %"), required=False, max_digits=6, decimal_places=1)
    our_share = forms.DecimalField(label=_("our share of their sales %"), required=False, max_digits=4,
                                   decimal_places=1, help_text=_("售额比率: our sales as a share of all their sales."))
    range_carried = forms.ChoiceField(label=_("range carried"), choices=[("", CHOOSE)] + RangeCarried.choices)
    focus_pushed = forms.BooleanField(label=_("focus products pushed"), required=False)
    display_place = forms.CharField(label=_("display place"), required=False, max_length=_length("display_place"))
    display_space = forms.CharField(label=_("display space"), required=False, max_length=_length("display_space"))
    display_height = forms.CharField(label=_("display height"), required=False, max_length=_length("display_height"))
    stock_level = forms.ChoiceField(label=_("stock level"), choices=[("", CHOOSE)] + StockLevel.choices)
    stock_outs = forms.IntegerField(label=_("products out of stock"), required=False, min_value=0, max_value=9999,
                                    initial=0)
    in_promotion = forms.BooleanField(label=_("takes part in our promotions"), required=False)
    payment = forms.ChoiceField(label=_("payment behaviour"), choices=[("", CHOOSE)] + PaymentBehaviour.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = timezone.localdate().strftime("%Y-%m")
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                              else "form-control")


def _styled(form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                      else "form-control")


class SupportPlanForm(forms.Form):
    """REL-7: the year of a dealer's support plan."""

    year = forms.IntegerField(label=_("year"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        _styled(self)


MONTHS = [(str(m), str(m)) for m in range(1, 13)]


class SupportItemForm(forms.Form):
    """REL-7: a piece of support; the amounts are read by the service (¥, thousands separators)."""

    kind = forms.ChoiceField(label=_("kind of support"), choices=[("", CHOOSE)] + SupportKind.choices)
    description = forms.CharField(label=_("description"), max_length=200)
    budget = forms.CharField(label=_("budget"), max_length=40)
    planned_month = forms.ChoiceField(label=_("planned month"), choices=[("", CHOOSE)] + MONTHS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class SupportDoneForm(forms.Form):
    """REL-7: the support was given, and its measured effect."""

    done_on = forms.DateField(label=_("done on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    effect_note = forms.CharField(label=_("measured effect"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    sales_before = forms.CharField(label=_("sales before"), required=False, max_length=40)
    sales_after = forms.CharField(label=_("sales after"), required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class FamilyOccasionForm(forms.Form):
    """REL-3: a family occasion of a key person; the rules are services.family_occasion_add's.
    `people` — the customer's current key people — are offered when a new one is added."""

    key_person = forms.ChoiceField(label=_("key person"), error_messages={
        "required": _("Choose the key person."), "invalid_choice": _("Choose a current key person of this customer.")})
    kind = forms.ChoiceField(label=_("kind of family occasion"), choices=[("", CHOOSE)] + FamilyOccasionKind.choices,
                             error_messages={"required": _("Choose the kind of family occasion."),
                                             "invalid_choice": _("Choose the kind of family occasion.")})
    whose = forms.CharField(label=_("whose (name)"), required=False,
                            max_length=FamilyOccasion._meta.get_field("whose").max_length,
                            help_text=_("The name of the spouse, child or parent, if known."))
    on = forms.DateField(label=_("date of the occasion"), widget=forms.DateInput(attrs={"type": "date"}),
                         error_messages={"required": _("Enter the date of the occasion."),
                                         "invalid": _("Enter a date as YYYY-MM-DD.")},
                         help_text=_("For a birthday or an anniversary, the day it began (the year may be a guess)."))
    yearly = forms.BooleanField(label=_("every year"), required=False, initial=True)
    note = forms.CharField(label=_("note"), required=False, max_length=FamilyOccasion._meta.get_field("note").max_length)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["key_person"]
        else:
            self.fields["key_person"].choices = [("", CHOOSE)] + [
                (str(p.pk), f"{p.name} · {p.get_role_display()}") for p in people]
        self.fields["yearly"].widget.attrs["class"] = "form-check-input"
        for name, field in self.fields.items():
            if name != "yearly":
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                              else "form-control")
