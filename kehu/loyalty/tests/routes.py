"""The referral pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py):
whoever sells records referrals of the customers they see, their outcome and the thank-you (REF-1, REF-2)."""

from functools import partial

from kehu.core.tests.matrix import Route, card, count, customer_ref, day
from kehu.loyalty.capabilities import RECORD_REFERRALS, WIN_BACK

Refer = partial(Route, rule="REF-1")
Thank = partial(Route, rule="REF-2")
RECORD = (RECORD_REFERRALS,)
Lost = partial(Route, rule="WIN-1")
WinBack = partial(Route, rule="WIN-2")
WIN = (WIN_BACK,)


def referred(ctx, side):
    """A prospect referred by the side's customer, recorded by its salesperson (in their scope)."""
    from kehu.loyalty.tests.builders import referral

    customer = side.customer if side else ctx.customer
    return {"pk": referral(by=ctx.users[side.who if side else "owner"], referrer=customer).pk}


def decided(ctx, side):
    from kehu.loyalty import services
    from kehu.loyalty.models import Referral

    made = referred(ctx, side)
    services.referral_outcome(by=ctx.users[side.who if side else "owner"], referral=Referral.objects.get(pk=made["pk"]),
                              outcome="won")
    return made


def state_of(made):
    from kehu.loyalty.models import Referral

    return Referral.objects.filter(pk=made["pk"]).values_list("outcome", "thank_touch").first()


def at_risk(ctx, side):
    """A customer of the side's salesperson (in their office) that stopped buying: at risk."""
    from kehu.loyalty.tests.builders import at_risk_customer

    found = at_risk_customer(owner=ctx.users[side.who if side else "owner"], finance=ctx.users["finance"])
    return {"pk": found.pk}


def defection_state(made):
    from kehu.loyalty.models import Defection

    row = Defection.objects.filter(pk=made["pk"]).values_list("reason", "reason_note").first()
    return row, Defection.objects.get(pk=made["pk"]).attempts.count()


ROUTES = [
    Lost("loyalty:defection_list", scoped=False),
    Lost("loyalty:defection_export", scoped=False),
    Lost("loyalty:defection_detail", at_risk),
    Lost("loyalty:defection_reason", at_risk, "post", data={"reason": "price", "reason_note": "贵了"}, needs=WIN,
         ok=302, state=defection_state),
    WinBack("loyalty:defection_attempt", at_risk, "post", data={"channel": "phone", "outcome": "pending", "on": day(0)},
            needs=WIN, ok=302, state=defection_state),
    WinBack("loyalty:win_back_report", scoped=False),
    WinBack("loyalty:win_back_export", scoped=False),
    Lost("defection-list", scoped=False),
    Lost("defection-detail", at_risk),
    Lost("defection-reason", at_risk, "post", data={"reason": "competitor"}, needs=WIN, state=defection_state),
    WinBack("defection-attempts", at_risk, "post", data={"channel": "visit", "offer": "九折"}, needs=WIN, ok=201,
            state=defection_state),
    WinBack("win-back", scoped=False),
    Refer("loyalty:referral_list", scoped=False),
    Refer("loyalty:referral_export", scoped=False),
    Refer("loyalty:referral_create", card, needs=RECORD),
    Refer("loyalty:referral_create", card, "post", data={"name": "转介绍的新店", "category": "agent"}, needs=RECORD,
          ok=302, state=count("loyalty.Referral")),
    Thank("loyalty:referral_outcome", referred, "post", data={"outcome": "won"}, needs=RECORD, ok=302, state=state_of),
    Thank("loyalty:referral_thank", decided, "post", data={"kind": "phone"}, needs=RECORD, ok=302, state=state_of),
    Route("loyalty:ambassadors", scoped=False, rule="REF-3"),
    Route("loyalty:ambassadors_export", scoped=False, rule="REF-3"),
    Route("referral-conversion", scoped=False, rule="REF-3"),
    Refer("referral-list", scoped=False),
    Refer("referral-list", customer_ref, "post", args=lambda m: [], needs=RECORD, ok=201,
          data=lambda m: {"referrer": m["customer"], "name": "接口介绍的新店", "category": "agent"},
          state=count("loyalty.Referral")),
    Refer("referral-detail", referred),
    Thank("referral-outcome", referred, "post", data={"outcome": "lost"}, needs=RECORD, state=state_of),
    Thank("referral-thank", decided, "post", data={"kind": "visit"}, needs=RECORD, state=state_of),
]
