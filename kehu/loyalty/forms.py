from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import BootstrapFormMixin
from kehu.customers.models import Category, Customer, KeyPerson
from kehu.loyalty.models import Referral
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
