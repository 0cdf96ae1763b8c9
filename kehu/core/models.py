"""Shared model mechanisms: timestamps, optimistic locking and gap-free counters."""

import unicodedata

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from kehu.core.locks import lock, lock_many


def choice_set(name: str, *choices: tuple[str, str]) -> type[models.TextChoices]:
    """A set of choices given as data — (value, label) pairs, each member named by its value in
    capitals — for vocabularies that are only a list, such as the scales of a paper form."""
    return models.TextChoices(name, [(value.upper(), (value, label)) for value, label in choices])


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Editable records carry a version; services refuse a save made from a stale copy."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class SettingsRow(models.Model):
    """Company settings kept in one row, edited in the admin (credit policy, collection
    policy): current() reads it, creating it with its defaults the first time."""

    class Meta:
        abstract = True

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first() or cls.objects.create()


class CompanyProfile(SettingsRow):
    """The issuing company that heads every printed form (the receipt, KH001, KH002): one row,
    edited in the admin (AR-1: a receipt names who received the money and carries its stamp)."""

    name = models.CharField(_("company name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    tax_no = models.CharField(_("tax no. 税号"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    seal_text = models.CharField(_("seal text 印章文字"), max_length=100, blank=True,
                                 help_text=_("The words of the stamp printed in the receipt's stamp box, "
                                             "e.g. “上海日化贸易有限公司 财务专用章”."))

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")

    def __str__(self) -> str:
        return self.name or str(_("Company profile"))


class Sequence(models.Model):
    """A named counter (customer codes, later receipt numbers). Values are taken under a
    row lock so concurrent writers never get the same number."""

    lock_rank = 90  # core.locks: row locks are taken lowest rank first

    name = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def take(cls, name: str, count: int = 1) -> range:
        """Reserve `count` consecutive values and return them."""
        with transaction.atomic():
            row = lock(cls, cls.objects.get_or_create(name=name)[0].pk)
            row.value += count
            row.save(update_fields=["value"])
        return range(row.value - count + 1, row.value + 1)

    @classmethod
    def take_each(cls, *names: str) -> dict[str, int]:
        """The next value of each named counter, their rows locked lower pk first (core.locks)
        when one transaction needs several (a return and its credit note)."""
        with transaction.atomic():
            pks = [cls.objects.get_or_create(name=name)[0].pk for name in names]
            rows = lock_many(cls, pks)
            for row in rows.values():
                row.value += 1
                row.save(update_fields=["value"])
        return {row.name: row.value for row in rows.values()}


class HalfWidthFieldsMixin:
    """Numbers typed with a Chinese input method arrive full-width (０２１－５５５５): fields
    named in HALF_WIDTH_FIELDS are folded to half-width (NFKC) before validation."""

    HALF_WIDTH_FIELDS: tuple[str, ...] = ()

    def clean_fields(self, exclude=None):
        for name in self.HALF_WIDTH_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, unicodedata.normalize("NFKC", value).strip())
        super().clean_fields(exclude=exclude)


class Job(models.Model):
    """A long piece of work run by the worker (`kehu worker`) for one user — an import — with
    its progress and its result (core.jobs). Only its owner sees it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=60)
    created_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("created by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.CharField(_("file"), max_length=100, blank=True)  # its name under core.jobs.JOB_DIR
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # "host:pid" of the worker process running it, so that a job whose worker was killed is
    # told apart from one still running (core.jobs.recover).
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="core_job_owner")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class PeriodicRun(models.Model):
    """A periodic task's run of one period (a day, an hour, five minutes), claimed by the first
    worker that starts it (core.periodic): with several workers each one's scheduler queues
    the same run, and the unique pair lets only one of them do it (PLT-4, docs/deploy.md)."""

    task = models.CharField(_("periodic task"), max_length=100)
    period = models.CharField(_("period"), max_length=32)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)  # host:pid of the one that ran it
    # How many more times the run was queued in the period and did nothing: M workers, M - 1.
    skipped = models.PositiveIntegerField(_("times skipped"), default=0)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")
        constraints = [models.UniqueConstraint(fields=["task", "period"], name="periodic_run_once_per_period")]

    def __str__(self) -> str:
        return f"{self.task} {self.period}"
