"""Users, roles and the office tree (region → office → team) that scopes hang on."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
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

    def save(self, *args, **kwargs):
        # PLT-2: a new password revokes every API token of the user, whatever path set it (the
        # password page, the admin, `manage.py changepassword`): set_password() leaves the raw
        # password in `_password` until the save (a re-hash on login does not).
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_reason=ApiToken.Revoked.PASSWORD)

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


def token_digest(key: str) -> str:
    """What the database keeps of an API token: its SHA-256. A token is 40 random hex
    characters (160 bits), so a plain hash cannot be reversed or guessed."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """PLT-2: a token a user's program sends as `Authorization: Token <key>`. The key is
    shown once, when it is made; the database keeps only its hash and its first characters
    (to tell tokens apart). It expires, and is revoked by its owner or by a new password."""

    class Revoked(models.TextChoices):
        OWNER = "owner", _("revoked by its owner")
        PASSWORD = "password", _("revoked: the password was changed")

    PREFIX_LENGTH = 6

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(pgettext_lazy("API token", "name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("revoked because"), max_length=10, choices=Revoked.choices, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
