from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User
from kehu.accounts.selectors import salespeople_for
from kehu.core.capabilities import user_can
from kehu.core.forms import BootstrapFormMixin
from kehu.customers.capabilities import SET_CREDIT_TERMS
from kehu.customers.models import Customer, KeyPerson, Transport
from kehu.customers.services import CREDIT_TERMS, EDITABLE_FIELDS, KEY_PERSON_FIELDS

# The four sections of the card (CUS-3), in the order of form KH001.
SECTIONS = [
    (_("Basic data 基础资料"), [
        "name", "category", "grade", "status", "nature", "address", "postcode", "phone", "fax",
        "registration_no", "tax_no", "bank", "bank_account", "registered_capital", "working_capital",
        "founded_on", "shop_area", "warehouse_area", "employee_count", "premises", "vehicles",
        "transport_modes", "payment_method", "annual_turnover", "product_lines", "coverage_area",
        "developed_on", "developed_by",
    ]),
    (_("Characteristics 客户特征"), [
        "service_area", "sales_capability", "growth_potential", "business_philosophy", "size_description",
    ]),
    (_("Business status 业务状况"), [
        "sales_results", "management_quality", "competitor_relations", "cooperation_attitude",
    ]),
    (_("Trading status 交易状况"), [
        "current_activity", "problems", "strengths", "future_measures", "image", "reputation",
        "credit_status", "trade_terms", "payment_days", "credit_problems",
    ]),
]
assert {f for _t, fs in SECTIONS for f in fs} == set(EDITABLE_FIELDS), "every editable field has a section"

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerForm(BootstrapFormMixin, forms.ModelForm):
    transport_modes = forms.MultipleChoiceField(
        label=_("transport modes"), choices=Transport.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Customer
        fields = EDITABLE_FIELDS
        widgets = {
            "founded_on": DATE,
            "developed_on": DATE,
            **{name: forms.Textarea(attrs={"rows": 2}) for name in [
                "product_lines", "service_area", "sales_capability", "growth_potential", "business_philosophy",
                "size_description", "sales_results", "management_quality", "competitor_relations",
                "cooperation_attitude", "current_activity", "problems", "strengths", "future_measures", "image",
                "reputation", "credit_status", "trade_terms", "payment_days", "credit_problems",
            ]},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = salespeople_for(user) if user else User.objects.none()
        self.fields["developed_by"].queryset = people
        if user is not None and not user_can(user, SET_CREDIT_TERMS):
            # CRD-2: shown, not changed: the form keeps the card's values (a new card's defaults).
            for name in CREDIT_TERMS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("A credit decision: ask for a change with a credit request.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]


class CustomerCreateForm(CustomerForm):
    """Create adds the owner (managers choose one) and the CUS-8 decision."""

    owner = forms.ModelChoiceField(label=_("owner"), queryset=User.objects.none(), required=False,
                                   help_text=_("Leave empty to own the customer yourself."))
    on_duplicate = forms.ChoiceField(
        label=_("similar customers exist"), required=False, widget=forms.RadioSelect,
        choices=[("keep_both", _("Keep both: this is a different customer")),
                 ("merge", _("Merge: add this data to the existing card"))],
    )
    merge_into = forms.ModelChoiceField(label=_("merge into"), queryset=Customer.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].queryset = salespeople_for(user) if user else User.objects.none()
        # The service checks that the target is one of the duplicates and in the user's scope.
        self.fields["merge_into"].queryset = Customer.objects.all()

    def sections(self):
        """The card's sections; a manager, who has salespeople to choose from, also picks the
        owner in the first one (a salesperson owns what they create)."""
        sections = super().sections()
        if self.fields["owner"].queryset.count() > 1:
            title, fields = sections[0]
            sections[0] = (title, [*fields, self["owner"]])
        return sections


class KeyPersonForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = KeyPerson
        fields = KEY_PERSON_FIELDS
        widgets = {"birth_date": DATE, "character_notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class NoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    is_private = forms.BooleanField(label=_("private: told in confidence, only the owner's chain of command sees it"),
                                    required=False)


class ReassignForm(BootstrapFormMixin, forms.Form):
    to_owner = forms.ModelChoiceField(label=_("successor"), queryset=User.objects.none())
    reason = forms.CharField(label=_("reason"), max_length=200)
    from_owner = forms.ModelChoiceField(label=_("all customers of"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = salespeople_for(user)
        self.fields["to_owner"].queryset = people
        self.fields["from_owner"].queryset = people


class ImportCommitForm(BootstrapFormMixin, forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(label=_("when some rows are bad"), widget=forms.RadioSelect, initial="valid_only",
                             choices=[("valid_only", _("Import the valid rows, skip the bad ones")),
                                      ("all_or_nothing", _("Import nothing if any row is bad"))])
    on_duplicate = forms.ChoiceField(label=_("rows similar to existing customers"), widget=forms.RadioSelect,
                                     initial="skip",
                                     choices=[("skip", _("Skip them")),
                                              ("keep_both", _("Import them as new customers (keep both)")),
                                              ("merge", _("Merge into the existing card (fill its blanks)"))])
