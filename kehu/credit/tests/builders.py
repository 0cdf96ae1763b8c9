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
