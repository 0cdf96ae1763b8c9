"""Referrals for tests, recorded through the services as a salesperson would (REF-1)."""

from kehu.loyalty import services


def referral(*, by, referrer, name: str = "转介绍新客户商店", **kwargs):
    return services.referral_create(by=by, referrer=referrer, data={"name": name, "category": "key_retailer"}, **kwargs)
