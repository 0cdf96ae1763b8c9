"""Referrals for tests, recorded through the services as a salesperson would (REF-1)."""

from kehu.loyalty import services


def referral(*, by, referrer, name: str = "转介绍新客户商店", **kwargs):
    return services.referral_create(by=by, referrer=referrer, data={"name": name, "category": "key_retailer"}, **kwargs)


def bought(*, by, customer, days_ago: list[int], amount="1000.00", today=None):
    """WIN-1: the customer bought (an invoice of `amount` imported by `by`, finance) on each of the
    days so many days before `today`."""
    from datetime import timedelta
    from itertools import count

    from django.utils import timezone

    from kehu.receivables.tests.builders import imported_invoice

    today = today or timezone.localdate()
    numbers = count(_next_number())
    return [imported_invoice(by=by, customer=customer, number=f"WIN-{next(numbers)}", amount=amount,
                             issued_on=today - timedelta(days=d)) for d in days_ago]


def _next_number() -> int:
    from kehu.receivables.models import Invoice

    return Invoice.objects.filter(number__startswith="WIN-").count() + 1


def quiet(*, by, customer, every: int, times: int, since: int, amount="1000.00"):
    """A customer that bought `times` times `every` days apart, the last `since` days ago."""
    return bought(by=by, customer=customer, amount=amount, days_ago=[since + every * n for n in range(times)])


def at_risk_customer(*, owner, finance, name: str | None = None):
    """A new customer of `owner` that bought every 10 days and stopped 16 days ago, found at risk
    by the daily run (WIN-1): its open defection."""
    from kehu.customers.models import Customer
    from kehu.customers.tests.builders import new_customer
    from kehu.loyalty import services
    from kehu.loyalty.models import Defection

    name = name or f"停止进货的店{Customer.objects.count() + 1}号"
    customer = new_customer(by=owner, name=name)
    quiet(by=finance, customer=customer, every=10, times=4, since=16)
    services.defections_daily()
    return Defection.objects.get(customer=customer, state__in=Defection.OPEN)
