"""Users, roles and the office tree (region → office → team) that scopes hang on."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.roles import Role


class Office(models.Model):
    class Kind(models.TextChoices):
        HEADQUARTERS = "hq", _("Headquarters")
        REGION = "region", _("Region")
        OFFICE = "office", _("Office")
        TEAM = "team", _("Team")

    name = models.CharField(pgettext_lazy("organisation", "name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    # AR-1: what a person reads before the number of a receipt of this office's book (SH1-000939).
    # A change applies to the receipts written from then on; a receipt keeps the number it was
    # printed with (Payment.number is stored), and the book's counter goes on without a gap.
    receipt_code = models.CharField(
        _("receipt code"), max_length=8, blank=True,
        validators=[RegexValidator(r"^[A-Z]{1,4}[0-9]{0,3}$", _(
            "A receipt code is 1 to 4 capital letters and up to 3 digits, e.g. SH1."))],
        help_text=_("Printed before the receipt numbers of this office's book, e.g. SH1 → SH1-000939; "
                    "empty: the office code. Receipts already written keep their numbers."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OFFICE)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path "/1/4/9/": a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["receipt_code"], condition=~models.Q(receipt_code=""),
                                               name="office_receipt_code_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            Office.objects.filter(pk=self.pk).update(path=path)
            self.path = path
            if old:  # moved: re-root the subtree
                for child in Office.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.path = path + child.path[len(old):]
                    Office.objects.filter(pk=child.pk).update(path=child.path)

    @property
    def receipt_prefix(self) -> str:
        """The prefix of the next receipt numbers of this office's book (AR-1)."""
        return self.receipt_code or self.code

    def clean(self):
        super().clean()
        if self.receipt_code and Office.objects.exclude(pk=self.pk).filter(
                models.Q(code=self.receipt_code) | models.Q(receipt_code=self.receipt_code)).exists():
            raise ValidationError({"receipt_code": _(
                "Another office already prints its receipts as %(code)s: choose another receipt code.")
                % {"code": self.receipt_code}})


def subtree_of(office_id) -> list[int]:
    """Ids of an office and every office below it."""
    if not office_id:
        return []
    path = Office.objects.filter(pk=office_id).values_list("path", flat=True).first()
    return list(Office.objects.filter(path__startswith=path).values_list("pk", flat=True)) if path else []


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALESPERSON, db_index=True)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def office_subtree_ids(self) -> list[int]:
        """The user's office subtree (core.scopes), cached on the object so a request pays for it once."""
        cached = getattr(self, "_kehu_subtree_ids", None)
        if cached is None:
            cached = self._kehu_subtree_ids = subtree_of(self.office_id)
        return cached

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        # Chinese names are written family name first, without a space.
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username
