"""Forms of the complaint pages: intake (CMP-1) and one step of the process (CMP-2). The
services check again; a form only reads what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.forms import CHOOSE, BootstrapFormMixin
from kehu.service.models import Change, Complaint, ServiceOrder, Step


class ComplaintForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("complaint type"), choices=Complaint.Kind.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Complaint.Severity.choices,
                                 initial=Complaint.Severity.MEDIUM)
    channel = forms.ChoiceField(label=pgettext_lazy("complaint", "channel"), choices=Complaint.Channel.choices)
    nature = forms.ChoiceField(label=_("nature"), choices=Complaint.Nature.choices, initial=Complaint.Nature.UNCLEAR,
                               help_text=_("Good faith or malicious, once it is known."))
    words = forms.CharField(label=_("the customer's own words"), widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=4000, help_text=_("As the customer said it, without judging."))
    amount_claimed = forms.CharField(label=_("amount claimed"), required=False, max_length=40,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    order = forms.TypedChoiceField(label=_("order"), required=False, coerce=int, empty_value=None)
    product = forms.TypedChoiceField(label=_("product"), required=False, coerce=int, empty_value=None)
    handler = forms.TypedChoiceField(label=_("handler"), required=False, coerce=int, empty_value=None,
                                     help_text=_("Empty: you, if you handle complaints, else the customer's "
                                                 "salesperson."))

    def __init__(self, *args, orders=(), products=(), handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", CHOOSE)] + [(o.pk, f"{o.number} · {o.ordered_on:%Y-%m-%d}")
                                                         for o in orders]
        self.fields["product"].choices = [("", CHOOSE)] + [(p.pk, f"{p.code} {p.name}") for p in products]
        self.fields["handler"].choices = [("", CHOOSE)] + [(u.pk, u.display_name) for u in handlers]


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices)
    note = forms.CharField(required=False, max_length=4000)
    amount = forms.CharField(required=False, max_length=40)
    cause = forms.CharField(required=False, max_length=20)
    responsibility = forms.CharField(required=False, max_length=20)


class EscalateForm(forms.Form):
    amount = forms.CharField(max_length=40)
    solution = forms.CharField(max_length=4000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
    comment = forms.CharField(required=False, max_length=500)


class ChangeForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("three changes", "change"), choices=Change.Kind.choices)
    due_at = forms.DateTimeField(label=_("due at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                              format="%Y-%m-%dT%H:%M"))
    who = forms.TypedChoiceField(label=_("who meets the customer"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("what is arranged"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [("", CHOOSE)] + [(u.pk, u.display_name) for u in people]


class KeepForm(forms.Form):
    change = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class EmptyForm(forms.Form):
    """A button with nothing to type (closing a complaint)."""


class ServiceOrderForm(BootstrapFormMixin, forms.Form):
    """SVC-1: plan a service."""

    kind = forms.ChoiceField(label=_("service"), choices=ServiceOrder.Kind.choices)
    description = forms.CharField(label=_("what is to be done"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    assignee = forms.TypedChoiceField(label=_("assignee"), required=False, coerce=int, empty_value=None,
                                      help_text=_("Empty: you."))
    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))
    every_days = forms.IntegerField(label=_("repeat every (days)"), required=False, min_value=1, max_value=366,
                                    help_text=_("For periodic maintenance: the next visit is scheduled when one is "
                                                "done. Empty: once."))
    order = forms.TypedChoiceField(label=_("order"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, people=(), orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", CHOOSE)] + [(u.pk, u.display_name) for u in people]
        self.fields["order"].choices = [("", CHOOSE)] + [(o.pk, f"{o.number} · {o.ordered_on:%Y-%m-%d}")
                                                         for o in orders]


class ServiceDoneForm(BootstrapFormMixin, forms.Form):
    outcome = forms.CharField(label=_("outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.TypedChoiceField(label=_("customer's rating (1–5)"), required=False, coerce=int, empty_value=None,
                                    choices=[("", CHOOSE)] + [(n, str(n)) for n in range(5, 0, -1)])
    parts = forms.CharField(label=_("parts used"), required=False, max_length=300)
    cost = forms.CharField(label=_("cost"), required=False, max_length=40,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))
