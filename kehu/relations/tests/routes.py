"""The pages and endpoints of keeping in touch in the permission matrix
(kehu/core/tests/test_permission_matrix.py). Everyone reads the touches of their scope; those
who meet customers log them (REL-2)."""

from datetime import timedelta
from functools import partial

from kehu.core.tests.matrix import Route, card, count, customer_ref, day, person, today
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.relations.capabilities import (
    FILE_MARKET_REPORTS,
    HANDLE_MARKET_REPORTS,
    LOG_TOUCHES,
    PLAN_DEALER_SUPPORT,
    RECORD_DEALER_CHECKS,
    SEE_ADHERENCE,
)

Touches = partial(Route, rule="REL-2")


def a_touch(ctx, side):
    from kehu.relations.tests.builders import touch

    customer = side.customer if side else ctx.customer
    return {"pk": touch(by=ctx.users[side.who if side else "owner"], customer=customer).pk, "customer": customer.pk}


ROUTES = [
    *(Touches(f"relations:{name}", scoped=False) for name in ("touch_list", "touch_export")),
    Touches("relations:touch_detail", a_touch),
    Touches("relations:touch_create", card, needs=(LOG_TOUCHES,)),
    Touches("relations:touch_create", card, "post", needs=(LOG_TOUCHES,), ok=302, state=count("relations.Touch"),
            data=lambda m: {"kind": "phone", "on": day(-1), "purpose": "回访"}),
    Touches("relations:visit_quick", card, "post", needs=(LOG_TOUCHES,), ok=302, state=count("relations.Touch")),
    Touches("touch-list", scoped=False),
    Touches("touch-detail", a_touch),
    Touches("touch-list", customer_ref, "post", args=lambda m: [], needs=(LOG_TOUCHES,), ok=201,
            data=lambda m: {"customer": m["customer"], "kind": "visit", "purpose": "新品介绍"},
            state=count("relations.Touch")),
]

Cadence = partial(Route, rule="REL-1", scoped=False)
ROUTES += [
    Cadence("relations:due"),
    Cadence("relations:due_export"),
    Cadence("relations:adherence", needs=(SEE_ADHERENCE,)),
    Cadence("relations:adherence_export", needs=(SEE_ADHERENCE,)),
]


def a_plan_item(ctx, side):
    """An item of the owner's plan of today (a customer due for a contact)."""
    from kehu.relations import services

    owner = ctx.users[side.who if side else "owner"]
    entries = services.plan_for(owner, today())
    return {"pk": next(e for e in entries if e.customer_id == (side.customer if side else ctx.customer).pk).pk}


def its_owner(role, side):
    return role == side.who


def tick_state(made):
    from kehu.relations.models import PlanEntry

    return PlanEntry.objects.get(pk=made["pk"]).done_at is not None


Plan = partial(Route, rule="REL-4")
ROUTES += [
    *(Plan(f"relations:{name}", scoped=False) for name in ("plan", "plan_print", "plan_weekly", "plan_weekly_export")),
    # A plan is personal: nobody else learns of its items (404).
    Plan("relations:plan_tick", a_plan_item, "post", data={"done": "1"}, who=its_owner, not_who=404, ok=302,
         state=tick_state),
]
ROUTES += [
    Cadence("contacts-due"),
    Plan("plan", scoped=False),
    Plan("plan-item-tick", a_plan_item, "post", data={"done": True}, who=its_owner, not_who=404, state=tick_state),
]


def position_state(made):
    from kehu.relations.models import PlanEntry

    return sorted(PlanEntry.objects.values_list("pk", "position"))


def two_plan_items(ctx, side):
    """Two contacts due in the owner's plan of today; the URL's item is the second, to move up."""
    from kehu.customers.tests.builders import new_customer

    owner = ctx.users[side.who if side else "owner"]
    new_customer(by=owner, name=f"第二位待联系客户{owner.pk}", category="other")
    return a_plan_item(ctx, side) | {"pk": _second_item(owner)}


def _second_item(owner):
    from kehu.relations import services

    return [e.pk for e in services.plan_for(owner, today()) if e.kind == "contact"][-1]


ROUTES += [
    Plan("relations:plan_move", two_plan_items, "post", data={"direction": "up"}, who=its_owner, not_who=404,
         ok=302, state=position_state),
]


# --- market information (REL-5) ------------------------------------------------------------------------------

Market = partial(Route, rule="REL-5")


def a_report(ctx, side):
    """Market information filed by the salesperson of the side (sent to their office)."""
    from kehu.relations import services

    who = ctx.users[side.who if side else "owner"]
    return {"pk": services.market_report_file(by=who, kind="competitor", text="竞品降价 5%").pk}


def read_state(made):
    from kehu.relations.models import MarketReport

    return MarketReport.objects.get(pk=made["pk"]).read_at is not None


def acted_state(made):
    from kehu.relations.models import MarketReport

    return MarketReport.objects.values_list("acted_at", "action_note").get(pk=made["pk"])


ROUTES += [
    *(Market(f"relations:{name}", scoped=False) for name in ("market_list", "market_export")),
    Market("relations:market_create", scoped=False, needs=(FILE_MARKET_REPORTS,)),
    Market("relations:market_create", scoped=False, method="post", needs=(FILE_MARKET_REPORTS,), ok=302,
           data={"kind": "market", "text": "本地区新开三家门店"}, state=count("relations.MarketReport")),
    Market("relations:market_create", card, method="post", args=lambda m: [], needs=(FILE_MARKET_REPORTS,), ok=302,
           data=lambda m: {"kind": "personnel", "text": "采购经理换人", "customer": m["pk"]},
           state=count("relations.MarketReport"), note="about a customer"),
    Market("relations:market_detail", a_report),
    Market("relations:market_read", a_report, "post", needs=(HANDLE_MARKET_REPORTS,), ok=302, state=read_state),
    Market("relations:market_act", a_report, "post", needs=(HANDLE_MARKET_REPORTS,), ok=302,
           data={"note": "已通知价格组"}, state=acted_state),
    *(Market(f"relations:{name}", scoped=False, needs=(HANDLE_MARKET_REPORTS,))
      for name in ("market_counts", "market_counts_export")),
    Market("market-report-list", scoped=False),
    Market("market-report-detail", a_report),
    Market("market-report-list", scoped=False, method="post", needs=(FILE_MARKET_REPORTS,), ok=201,
           data={"kind": "competitor", "text": "竞品推出新包装"}, state=count("relations.MarketReport")),
    Market("market-report-read", a_report, "post", needs=(HANDLE_MARKET_REPORTS,), state=read_state),
    Market("market-report-act", a_report, "post", needs=(HANDLE_MARKET_REPORTS,), data={"note": "已处理"},
           state=acted_state),
    Market("market-report-counts", scoped=False, needs=(HANDLE_MARKET_REPORTS,)),
]


# --- dealer checks (REL-6) -----------------------------------------------------------------------------------

Checks = partial(Route, rule="REL-6")


def a_check(ctx, side):
    """Last month's check of the side's dealer, by its salesperson."""
    from kehu.relations import services

    customer = side.customer if side else ctx.customer
    month = today().replace(day=1) - timedelta(days=1)
    made = services.dealer_check_record(by=ctx.users[side.who if side else "owner"], customer=customer,
                                        month=month, range_carried="whole", stock_level="enough",
                                        payment="on_time")
    return {"pk": made.pk, "customer": customer.pk}


CHECK_FORM = {"month": "", "range_carried": "partial", "stock_level": "low", "payment": "late", "sales_growth": "4.5",
              "our_share": "30", "stock_outs": "2", "focus_pushed": "on"}


def check_form(made):
    return CHECK_FORM | {"month": today().strftime("%Y-%m")}


ROUTES += [
    *(Checks(f"relations:{name}", scoped=False) for name in ("check_list", "check_export")),
    Checks("relations:check_detail", a_check),
    Checks("relations:check_create", card, needs=(RECORD_DEALER_CHECKS,)),
    Checks("relations:check_create", card, "post", needs=(RECORD_DEALER_CHECKS,), ok=302, data=check_form,
           state=count("relations.DealerCheck")),
    Checks("dealer-check-list", scoped=False),
    Checks("dealer-check-detail", a_check),
    Checks("dealer-check-list", customer_ref, "post", args=lambda m: [], needs=(RECORD_DEALER_CHECKS,), ok=201,
           data=lambda m: {"customer": m["customer"], "month": today().strftime("%Y-%m"), "range_carried": "whole",
                           "stock_level": "ample", "payment": "on_time"},
           state=count("relations.DealerCheck")),
]


# --- dealer support plans (REL-7) ----------------------------------------------------------------------------

Support = partial(Route, rule="REL-7")


def a_support_plan(ctx, side):
    """This year's support plan of the side's dealer, with one item not done yet."""
    from kehu.relations import services

    customer = side.customer if side else ctx.customer
    who = ctx.users[side.who if side else "owner"]
    plan = services.support_plan_create(by=who, customer=customer, year=today().year)
    item = services.support_item_add(by=who, plan=plan, kind="training", description="店员培训", budget="1200.00",
                                     planned_month=3)
    return {"pk": plan.pk, "item": item.pk, "customer": customer.pk}


def an_item(ctx, side):
    made = a_support_plan(ctx, side)
    return made | {"plan": made["pk"], "pk": made["item"]}


def done_state(made):
    from kehu.relations.models import SupportItem

    return SupportItem.objects.values_list("done_on", "effect_note").get(pk=made["pk"])


ITEM = {"kind": "pos", "description": "POP 海报", "budget": "300", "planned_month": "5"}

ROUTES += [
    *(Support(f"relations:{name}", scoped=False) for name in ("support_list", "support_export")),
    Support("relations:support_detail", a_support_plan),
    Support("relations:support_create", card, needs=(PLAN_DEALER_SUPPORT,)),
    Support("relations:support_create", card, "post", needs=(PLAN_DEALER_SUPPORT,), ok=302,
            data=lambda m: {"year": str(today().year)}, state=count("relations.SupportPlan")),
    Support("relations:support_item_add", a_support_plan, "post", needs=(PLAN_DEALER_SUPPORT,), ok=302, data=ITEM,
            state=count("relations.SupportItem")),
    Support("relations:support_item_done", an_item, "post", needs=(PLAN_DEALER_SUPPORT,), ok=302,
            data=lambda m: {f"i{m['pk']}-effect_note": "销量上升"}, state=done_state),
    Support("support-plan-list", scoped=False),
    Support("support-plan-detail", a_support_plan),
    Support("support-plan-list", customer_ref, "post", args=lambda m: [], needs=(PLAN_DEALER_SUPPORT,), ok=201,
            data=lambda m: {"customer": m["customer"], "year": today().year}, state=count("relations.SupportPlan")),
    Support("support-plan-items", a_support_plan, "post", needs=(PLAN_DEALER_SUPPORT,), ok=201,
            data=ITEM | {"planned_month": 5}, state=count("relations.SupportItem")),
    Support("support-item-done", an_item, "post", needs=(PLAN_DEALER_SUPPORT,), data={"effect_note": "销量上升"},
            state=done_state),
]


# --- family occasions of contacts (REL-3) --------------------------------------------------------------------

Family = partial(Route, rule="REL-3")


def an_occasion(ctx, side):
    """A child's birthday of a key person of the side's customer, recorded by its salesperson."""
    from kehu.relations import services

    made = person(ctx, side)
    occasion = services.family_occasion_add(by=ctx.users[side.who if side else "owner"], key_person=made["pk"],
                                            kind="child_birthday", whose="王小明", on="2015-03-10")
    return {"pk": occasion.pk, "customer": made["customer"], "person": made["pk"]}


def occasion_state(made):
    from kehu.relations.models import FamilyOccasion

    return list(FamilyOccasion.objects.filter(pk=made["pk"]).values_list("kind", "whose", "on"))


OCCASION = {"kind": "spouse_birthday", "whose": "李女士", "on": "1980-08-08", "yearly": "on"}

ROUTES += [
    Family("relations:family_create", card, needs=(EDIT_CUSTOMERS,)),
    Family("relations:family_create", person, "post", args=lambda m: [m["customer"]], needs=(EDIT_CUSTOMERS,),
           ok=302, data=lambda m: OCCASION | {"key_person": m["pk"]}, state=count("relations.FamilyOccasion")),
    Family("relations:family_edit", an_occasion, needs=(EDIT_CUSTOMERS,)),
    Family("relations:family_edit", an_occasion, "post", needs=(EDIT_CUSTOMERS,), ok=302, data=OCCASION,
           state=occasion_state),
    Family("relations:family_delete", an_occasion, needs=(EDIT_CUSTOMERS,)),
    Family("relations:family_delete", an_occasion, "post", needs=(EDIT_CUSTOMERS,), ok=302, state=occasion_state),
    Family("family-occasion-list", scoped=False),
    Family("family-occasion-detail", an_occasion),
    Family("family-occasion-list", person, "post", args=lambda m: [], needs=(EDIT_CUSTOMERS,), ok=201,
           data=lambda m: {"key_person": m["pk"], "kind": "wedding_anniversary", "on": "2001-05-02"},
           state=count("relations.FamilyOccasion")),
    Family("family-occasion-detail", an_occasion, "patch", needs=(EDIT_CUSTOMERS,), data={"whose": "王小红"},
           state=occasion_state),
    Family("family-occasion-detail", an_occasion, "delete", needs=(EDIT_CUSTOMERS,), ok=204, state=occasion_state),
]
