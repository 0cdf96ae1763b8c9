from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import BootstrapFormMixin
from kehu.customers.models import Category, Customer, KeyPerson
from kehu.loyalty.models import DefectionReason, Referral, WinBackAttempt
from kehu.relations.models import TouchKind


class ReferralForm(BootstrapFormMixin, forms.Form):
    """REF-1: the prospect a customer referred, entered as a new customer card."""

    referrer_person = forms.ModelChoiceField(label=_("key person who referred"), queryset=KeyPerson.objects.none(),
                                             required=False)
    name = forms.CharField(label=_("customer name"), max_length=200)
    category = forms.ChoiceField(label=_("category 类别"), choices=Category.choices)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    to_pool = forms.BooleanField(label=_("put into the pool for any salesperson to claim"), required=False)

    def __init__(self, *args, referrer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer_person"].queryset = referrer.key_people.filter(is_current=True)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(Referral.Outcome.WON, Referral.Outcome.WON.label),
                                         (Referral.Outcome.LOST, Referral.Outcome.LOST.label)])


class ThankForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("how"), choices=TouchKind.choices, initial=TouchKind.PHONE)
    notes = forms.CharField(label=_("notes"), max_length=2000, required=False)


class ReasonForm(BootstrapFormMixin, forms.Form):
    """WIN-1: why the customer stopped buying."""

    reason = forms.ChoiceField(label=_("reason"), choices=DefectionReason.choices)
    reason_note = forms.CharField(label=_("note on the reason"), max_length=500, required=False)


class AttemptForm(BootstrapFormMixin, forms.Form):
    """WIN-2: one try to win the customer back."""

    channel = forms.ChoiceField(label=_("win-back channel"), choices=TouchKind.choices, initial=TouchKind.PHONE)
    offer = forms.CharField(label=_("what was offered"), max_length=300, required=False,
                            help_text=_("What you offered: a discount, a free delivery, a visit by the manager…"))
    outcome = forms.ChoiceField(label=_("outcome"), choices=WinBackAttempt.Outcome.choices)
    on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
