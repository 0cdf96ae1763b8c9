"""The permission matrix: every role against every credit page, for a customer of the
Shanghai office (owned by `owner`) and one of the Hangzhou office (owned by `outsider`).
Outside the scope → 404; in scope but not allowed to write or to sign → 403; refused
writes change nothing."""

import pytest
from django.urls import reverse

from conftest import rule
from kehu.credit import services
from kehu.credit.models import CreditAccount, CreditApproval, CreditCard, CreditPolicy, CreditRequest

pytestmark = pytest.mark.django_db

ROLES = ["owner", "teammate", "outsider", "director", "other_director", "manager", "vp", "gm", "service",
         "finance", "admin"]
SEES_SHANGHAI = {"owner", "director", "manager", "vp", "gm", "service", "finance", "admin"}
SEES_HANGZHOU = {"outsider", "other_director", "manager", "vp", "gm", "service", "finance", "admin"}
READ_ONLY = {"service", "finance"}
# Who signs first (the office director of the customer's office) and who asked.
SIGNER = {"shanghai": "director", "hangzhou": "other_director"}
REQUESTER = {"shanghai": "owner", "hangzhou": "outsider"}


def expected(role, sees, *, write):
    if role not in sees:
        return 404
    if write and role in READ_ONLY:
        return 403
    return 200


@rule("CRD-1")
@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_scope_to_every_customer_credit_page(role, client_for, users, customer, outsider_customer,
                                                           thresholds):
    client = client_for(users[role])
    for target, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU)):
        for name, write in (("card", False), ("card_print", False), ("card_edit", True), ("request_limit", True)):
            status = client.get(reverse(f"credit:{name}", args=[target.pk])).status_code
            assert status == expected(role, sees, write=write), (role, target.name, name, status)
        saved = client.post(reverse("credit:card_edit", args=[target.pk]), {
            "version": "0", "health": "good", "brands-TOTAL_FORMS": "5", "brands-INITIAL_FORMS": "0"})
        assert saved.status_code == {200: 302}.get(expected(role, sees, write=True), expected(role, sees, write=True))
        asked = client.post(reverse("credit:request_limit", args=[target.pk]), {"amount": "10000", "reasons": "试"})
        assert asked.status_code == saved.status_code, (role, target.name, "request_limit", asked.status_code)
    mine = {c for c, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU))
            if expected(role, sees, write=True) == 200}
    assert {r.customer for r in CreditRequest.objects.select_related("customer")} == mine
    assert {c.customer for c in CreditCard.objects.select_related("customer")} == mine


@rule("CRD-2")
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_awaited_signer_decide_and_only_the_requester_withdraw(role, client_for, users, customer,
                                                                              outsider_customer, thresholds):
    client = client_for(users[role])
    for office, target, sees in (("shanghai", customer, SEES_SHANGHAI), ("hangzhou", outsider_customer, SEES_HANGZHOU)):
        request = services.credit_limit_request(by=users[REQUESTER[office]], customer=target, amount="50000",
                                                reasons="正常经营")
        detail = client.get(reverse("credit:request_detail", args=[request.pk]))
        assert detail.status_code == expected(role, sees, write=False), (role, office, "detail")
        decided = client.post(reverse("credit:request_decide", args=[request.pk]),
                              {"decision": "approve", "comment": "同意"})
        want = 404 if role not in sees else 302 if role == SIGNER[office] else 403
        assert decided.status_code == want, (role, office, "decide", decided.status_code)
        request.refresh_from_db()
        assert request.status == ("approved" if want == 302 else "pending")
        assert CreditApproval.objects.filter(request=request).count() == (1 if want == 302 else 0)
        withdrawn = client.post(reverse("credit:request_withdraw", args=[request.pk]))
        want = 404 if role not in sees else 302 if role == REQUESTER[office] else 403
        assert withdrawn.status_code == want, (role, office, "withdraw", withdrawn.status_code)
        request.refresh_from_db()
        assert request.status in (("withdrawn",) if want == 302 else ("pending", "approved"))


@rule("CRD-2")
@pytest.mark.parametrize("role", ROLES)
def test_it_opens_the_lists_to_every_role_within_its_scope(role, client_for, users, customer, outsider_customer,
                                                          thresholds):
    services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="正常经营")
    services.credit_limit_request(by=users["outsider"], customer=outsider_customer, amount="50000", reasons="正常")
    client = client_for(users[role])
    for name in ("queue", "requests", "misfits", "misfits_export", "levels"):
        assert client.get(reverse(f"credit:{name}")).status_code == 200, (role, name)
    listed = {r.customer for r in client.get(reverse("credit:requests")).context["page"].object_list}
    assert listed == {c for c, sees in ((customer, SEES_SHANGHAI), (outsider_customer, SEES_HANGZHOU))
                      if role in sees}
    waiting = {row["request"].customer for row in client.get(reverse("credit:queue")).context["rows"]}
    assert waiting == {"director": {customer}, "other_director": {outsider_customer}}.get(role, set())
    for method in ("post", "put", "delete"):  # the read pages take no writes
        assert getattr(client, method)(reverse("credit:levels")).status_code == 405


@rule("PLT-2")
def test_it_refuses_anonymous_access_to_every_credit_page(client, customer, thresholds, users):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="x")
    urls = [reverse(f"credit:{name}") for name in ("queue", "requests", "misfits", "misfits_export", "levels")]
    urls += [reverse(f"credit:{name}", args=[customer.pk])
             for name in ("card", "card_edit", "card_print", "request_limit")]
    urls += [reverse(f"credit:{name}", args=[request.pk]) for name in ("request_detail",)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for name in ("request_decide", "request_withdraw"):
        response = client.post(reverse(f"credit:{name}", args=[request.pk]), {"decision": "approve"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    request.refresh_from_db()
    assert request.status == "pending"


@rule("CRD-2")
def test_it_refuses_a_decision_by_get_and_a_request_that_is_not_a_number(client_for, users, customer, thresholds):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="x")
    client = client_for(users["director"])
    assert client.get(reverse("credit:request_decide", args=[request.pk])).status_code == 405
    assert client.get(reverse("credit:request_withdraw", args=[request.pk])).status_code == 405
    assert client.get("/credit/requests/99999/").status_code == 404
    assert client.get("/credit/requests/abc/").status_code == 404
    assert client.get("/credit/customers/99999/card/").status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


@rule("CRD-2")
def test_it_keeps_the_policy_single_and_limits_and_requests_read_only_in_the_admin(client, users, customer,
                                                                                thresholds):
    from kehu.accounts.models import User

    superuser = User.objects.create_superuser(username="root", password="kehu-root-pass-2026", role="admin")
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    CreditPolicy.objects.all().delete()
    assert client.get("/admin/credit/creditpolicy/add/").status_code == 200  # none yet
    policy = CreditPolicy.current()
    assert client.get("/admin/credit/creditpolicy/add/").status_code == 403
    assert client.get(f"/admin/credit/creditpolicy/{policy.pk}/change/").status_code == 200
    assert client.post(f"/admin/credit/creditpolicy/{policy.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CreditPolicy.objects.count() == 1
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="x")
    services.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    account = CreditAccount.objects.get(customer=customer)
    for model, pk in (("creditaccount", account.pk), ("creditrequest", request.pk)):
        assert client.get(f"/admin/credit/{model}/").status_code == 200
        assert client.get(f"/admin/credit/{model}/add/").status_code == 403
        page = client.get(f"/admin/credit/{model}/{pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.text  # view only
        assert client.post(f"/admin/credit/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert "刘洋" in client.get(f"/admin/credit/creditrequest/{request.pk}/change/").text  # the signature inline
    assert client.get(f"/admin/credit/creditaccount/{account.pk}/history/").status_code == 200
    assert client.get("/admin/credit/approvalthreshold/").status_code == 200
    assert client.get("/admin/credit/creditcard/").status_code == 200
    account.refresh_from_db()
    assert account.limit == 50000
