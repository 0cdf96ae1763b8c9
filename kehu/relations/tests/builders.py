"""Touches for tests, logged through the service as a salesperson would."""

from datetime import timedelta

from django.utils import timezone

from kehu.relations import services


def touch(*, by, customer, kind: str = "visit", days_ago: int = 0, purpose: str = "例行拜访", **extra):
    return services.touch_record(by=by, customer=customer, kind=kind, purpose=purpose,
                                 on=timezone.localdate() - timedelta(days=days_ago), **extra)
