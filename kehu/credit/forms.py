from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import BootstrapFormMixin
from kehu.core.money import CENT, number_text, read_decimal
from kehu.credit.models import CreditCard, CreditRequest
from kehu.credit.services import CARD_FIELDS
from kehu.customers.models import Grade

# The groups of paper form KH002, in its order; the brands' monthly sales and the
# salesperson's assessment follow as their own blocks.
CARD_SECTIONS = [
    (_("Business 经营"), ["started_trading_on", "location", "owner_home_phone"]),
    (_("Person in charge 负责人"), [
        "character", "temperament", "interests", "reputation", "education", "background", "experience",
        "eloquence", "mindset", "hobbies", "strengths", "weaknesses", "technical_level", "drive", "focus",
        "planning", "health", "successor", "staff_attitude",
    ]),
    (_("Shop and assets 使用店铺资产"), [
        "vehicle_count", "property_tenure", "site", "shop_area", "decoration", "floors", "insurance",
        "market_value", "monthly_rent",
    ]),
    (_("Accounts 会计方面"), [
        "bank_standing", "books_complete", "peer_evaluation", "management_evaluation", "payment_attitude", "remarks",
    ]),
]
CARD_BLOCKS = {"brand_sales", "salesperson_assessment"}
assert {f for _t, fs in CARD_SECTIONS for f in fs} | CARD_BLOCKS == set(CARD_FIELDS), "every card item has a place"

MAX_BRANDS = 5


def parse_amount(text) -> Decimal:
    """A sum of money as people type it (core.money.read_decimal), not negative, in cents."""
    if not str(text or "").strip():
        raise forms.ValidationError(_("Enter the amount."), code="required")
    try:
        amount = read_decimal(text)
    except ValueError as exc:
        if str(exc) == "too_large":
            raise forms.ValidationError(_("The amount is too large."), code="max_value") from None
        raise forms.ValidationError(_("Enter the amount as a number, e.g. 200000."), code="invalid") from None
    if amount < 0:
        raise forms.ValidationError(_("The amount cannot be negative."), code="min_value")
    return amount.quantize(CENT)


class MoneyField(forms.DecimalField):
    """A decimal typed as people write money: 1,200,000, ¥8000 or full-width digits (a text
    box: a number box would refuse the separators)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = number_text(value)
        return super().to_python(value)


class CreditCardForm(BootstrapFormMixin, forms.ModelForm):
    """KH002 without the brands (edited as rows, BrandSalesFormSet); `version` refuses a stale save."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CreditCard
        fields = [f for f in CARD_FIELDS if f != "brand_sales"]
        field_classes = {"market_value": MoneyField, "monthly_rent": MoneyField}
        widgets = {
            "started_trading_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "experience": forms.Textarea(attrs={"rows": 2}),
            "strengths": forms.Textarea(attrs={"rows": 2}),
            "weaknesses": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "salesperson_assessment": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A card not saved yet is version 0: if someone creates it meanwhile, this save is stale.
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in CARD_SECTIONS]


class BrandSaleForm(BootstrapFormMixin, forms.Form):
    """One row of 经营品种: brand, its company and monthly sales (its share is computed, CRD-1)."""

    brand = forms.CharField(label=_("brand 品牌"), max_length=100, required=False)
    company = forms.CharField(label=_("company 公司"), max_length=100, required=False)
    monthly_sales = MoneyField(label=_("monthly sales 月销售额"), max_digits=14, decimal_places=2,
                                       min_value=0, required=False)

    def clean(self):
        data = super().clean()
        others = [data.get(k) for k in ("company", "monthly_sales")]
        if not data.get("brand") and any(v not in (None, "") for v in others):
            self.add_error("brand", _("Name the brand of this row."))
        if data.get("monthly_sales") is not None:
            data["monthly_sales"] = data["monthly_sales"].quantize(CENT)
        return data


class BaseBrandSalesFormSet(forms.BaseFormSet):
    """The brand rows; each row's share 比重 is computed from the amounts when the card is saved."""

    def rows(self) -> list[dict]:
        """The filled rows as stored on the card: amounts as exact decimal strings."""
        return [{"brand": f.cleaned_data["brand"].strip(), "company": (f.cleaned_data.get("company") or "").strip(),
                 "monthly_sales": "" if f.cleaned_data.get("monthly_sales") is None
                 else str(f.cleaned_data["monthly_sales"])}
                for f in self.forms if f.cleaned_data.get("brand")]


BrandSalesFormSet = forms.formset_factory(BrandSaleForm, formset=BaseBrandSalesFormSet, extra=MAX_BRANDS,
                                          max_num=MAX_BRANDS, absolute_max=MAX_BRANDS, validate_max=True)


class LimitRequestForm(BootstrapFormMixin, forms.Form):
    """CRD-2: the amount is typed as text so that 200,000 or full-width digits are understood."""

    amount = forms.CharField(label=_("requested limit (CNY)"), max_length=40,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    grade = forms.ChoiceField(label=_("credit grade"), required=False,
                              choices=[("", _("unchanged"))] + list(Grade.choices))
    reasons = forms.CharField(label=_("reasons"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_amount(self):
        return parse_amount(self.cleaned_data["amount"])


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("comment"), max_length=500, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("comment (required to reject)")}))


class RequestFilterForm(forms.Form):
    """Filters of the request list; a bad value is reported and ignored."""

    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("any status"))] + list(CreditRequest.Status.choices))
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("any kind"))] + list(CreditRequest.Kind.choices))
    mine = forms.BooleanField(label=_("asked by me"), required=False)


class OverrideForm(BootstrapFormMixin, forms.Form):
    """CRD-3: a one-off override of an order refused for credit, with the reasons."""

    reasons = forms.CharField(label=_("reasons for the override"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DiscountRequestForm(BootstrapFormMixin, forms.Form):
    """ORD-1: a discount approval of an order whose prices need one, with the reasons."""

    reasons = forms.CharField(label=_("reasons for the discount"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "discount_%s")  # beside the override form on the order page
        super().__init__(*args, **kwargs)
