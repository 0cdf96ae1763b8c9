"""Forms of the commitment (SVC-2) and follow-up (SVC-3) pages. They only read what was typed:
the services check again and say what is wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import CHOOSE, BootstrapFormMixin
from kehu.core.reports import PeriodReportForm
from kehu.service.models import Commitment, LiteratureSend

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitmentForm(BootstrapFormMixin, forms.Form):
    description = forms.CharField(label=_("what was promised"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("As promised to the customer, e.g. 每月10日上门收保费."))
    repeat = forms.ChoiceField(label=_("how often"), choices=Commitment.Repeat.choices, initial=Commitment.Repeat.ONCE)
    starts_on = forms.DateField(label=_("due date"), widget=DATE,
                                help_text=_("Once: the day it is due. Every month: the first month's day."))
    day_of_month = forms.IntegerField(label=_("day of the month"), required=False, min_value=1, max_value=31,
                                      help_text=_("Every month: empty for the day of the due date; the 31st "
                                                  "falls on the last day of a shorter month."))
    until = forms.DateField(label=_("last day"), required=False, widget=DATE,
                            help_text=_("Every month: the last day the promise runs (at most five years)."))
    owner = forms.TypedChoiceField(label=_("promised by"), required=False, coerce=int, empty_value=None,
                                   help_text=_("Empty: you."))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", CHOOSE)] + [(u.pk, u.display_name) for u in people]


class FulfilForm(BootstrapFormMixin, forms.Form):
    occurrence = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("how it was kept"), max_length=4000)


class KeepingForm(PeriodReportForm):
    start = forms.DateField(label=_("due from"), required=False, widget=DATE)
    end = forms.DateField(label=_("due until"), required=False, widget=DATE)


YES_NO_CHOICES = [("", CHOOSE), ("yes", _("Yes")), ("no", _("No"))]


class FollowUpForm(BootstrapFormMixin, forms.Form):
    usage = forms.CharField(label=_("how the product is used"), max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    satisfied = forms.ChoiceField(label=_("customer satisfied"), choices=YES_NO_CHOICES)
    congratulated = forms.BooleanField(label=_("congratulated on the decision"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class LiteratureForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind of literature"), choices=LiteratureSend.Kind.choices)
    title = forms.CharField(label=_("what was sent"), max_length=200)
    sent_on = forms.DateField(label=_("sent on"), required=False, widget=DATE, help_text=_("Empty: today."))
