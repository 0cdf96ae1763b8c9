"""Credit limit requests for tests, asked and signed through the real services (CRD-2).
A limit set directly, without the chain, is kehu.sales.tests.builders.credit_limit.

    from kehu.credit.tests.builders import limit_request
    limit_request(customer=customer, by=users["owner"], amount="150000",
                  signers=[users["director"], users["manager"]], grade="B")
"""

from kehu.credit import services
from kehu.credit.models import CreditRequest

REASONS = "老客户，回款及时"


def limit_request(*, customer, by, amount, signers=(), grade: str = "", reasons: str = REASONS,
                  comment: str = "同意") -> CreditRequest:
    """A limit request of `by`, approved in turn by each of `signers` (none: still pending)."""
    request = services.credit_limit_request(by=by, customer=customer, amount=amount, grade=grade, reasons=reasons)
    for signer in signers:
        request = services.credit_request_decide(by=signer, request=request, approve=True, comment=comment)
    return request


def discount_allowances(**by_role) -> None:
    """ORD-1: the admin's table of maximum discounts: discount_allowances(salesperson="10", director="20")."""
    from decimal import Decimal

    from kehu.credit.models import DiscountAllowance

    for role, pct in by_role.items():
        DiscountAllowance.objects.update_or_create(role=role, defaults={"max_discount_pct": Decimal(pct)})


def floor_price(product, price) -> None:
    """ORD-1: the product's floor price, as the admin sets it."""
    from decimal import Decimal

    from kehu.credit.models import FloorPrice

    FloorPrice.objects.update_or_create(product=product, defaults={"min_price": Decimal(price)})


def discount_request(*, order, by=None, signers=(), reasons: str = "大客户年度采购") -> CreditRequest:
    """A discount approval of the order asked by `by` (its owner) and signed by each of `signers`."""
    request = services.credit_discount_request(by=by or order.owner, order=order, reasons=reasons)
    for signer in signers:
        request = services.credit_request_decide(by=signer, request=request, approve=True, comment="同意")
    return request
