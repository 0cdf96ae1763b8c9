"""Complaint writes: intake (CMP-1) and the guided process (CMP-2) — each step recorded once,
in the seeds' order, and no closing while a step is missing. Views, the API and the demo call
these; every refusal says what to do and changes nothing."""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.selectors import managers_of
from kehu.core.access import require
from kehu.core.errors import PermissionDeniedError, StaleEdit, ValidationFailed
from kehu.core.history import save_by
from kehu.core.importing import check_lengths
from kehu.core.locks import lock
from kehu.core.money import CENT, decimal_or_refuse, money
from kehu.core.pagination import lists_changed
from kehu.credit.models import CHAIN, LEVEL_ROLE
from kehu.credit.rules import discount_signing_level
from kehu.customers.selectors import customer_get_for_user
from kehu.reminders.services import in_language_of, notify
from kehu.service import selectors
from kehu.service.capabilities import HANDLE_COMPLAINTS, RECEIVE_COMPLAINTS, SERVE
from kehu.service.locks import lock_complaint
from kehu.service.models import (
    STEPS,
    Breach,
    Change,
    Complaint,
    ComplaintPolicy,
    ComplaintStep,
    Escalation,
    ServiceOrder,
    Step,
)

Status = Complaint.Status


class OverAuthority(ValidationFailed):
    """CMP-2: the solution costs more than the proposer's authority (code over_authority): it is
    escalated to `level`."""

    status = 409
    code = "over_authority"

    def __init__(self, message, *, amount, allowed, level: str):
        super().__init__(message)
        self.amount, self.allowed, self.level = amount, allowed, level


class StepMissing(ValidationFailed):
    """CMP-2: the process refuses a step taken before an earlier one, or closing before every
    step is recorded (code step_missing, with the step in `step`)."""

    status = 409
    code = "step_missing"

    def __init__(self, message, *, step: str, field_errors: dict | None = None):
        super().__init__(message, field_errors=field_errors)
        self.step = step


# CMP-2: the steps whose record is the substance of the step (what was heard, found, decided,
# proposed, learned); the others may be recorded with no more than who and when.
NOTE_REQUIRED = {Step.LISTEN, Step.INVESTIGATE, Step.DECIDE, Step.PROPOSE, Step.REVIEW}


def _step_name(step) -> str:
    return str(Step(step).label)


def _choice(value, choices, *, field: str, message: str, errors: dict, default=None):
    value = (value or "").strip() if isinstance(value, str) else value
    if not value and default is not None:
        return default
    if value not in choices.values:
        errors[field] = [message]
    return value


def complaint_open(*, by, customer, kind, channel, words, severity=Complaint.Severity.MEDIUM,
                   nature=Complaint.Nature.UNCLEAR, order=None, product=None, amount_claimed="0", handler=None,
                   received_at=None) -> Complaint:
    """CMP-1: record a complaint as the customer made it. The handler is who records it when they
    handle complaints, else the customer's salesperson; either way one who sees the customer.
    The deadlines follow from the severity (CMP-4, ComplaintPolicy)."""
    require(by, RECEIVE_COMPLAINTS, _("Your role does not record complaints."))
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    errors: dict[str, list] = {}
    kind = _choice(kind, Complaint.Kind, field="kind", message=_("Choose the type of complaint."), errors=errors)
    channel = _choice(channel, Complaint.Channel, field="channel", message=_("Choose how the complaint came in."),
                      errors=errors)
    severity = _choice(severity, Complaint.Severity, field="severity", message=_("Choose the severity."),
                       errors=errors, default=Complaint.Severity.MEDIUM)
    nature = _choice(nature, Complaint.Nature, field="nature", message=_("Choose the nature of the complaint."),
                     errors=errors, default=Complaint.Nature.UNCLEAR)
    words = (words or "").strip()
    if not words:
        errors["words"] = [_("Write down what the customer said, in their own words.")]
    amount = decimal_or_refuse(amount_claimed if str(amount_claimed or "").strip() else "0", field="amount_claimed",
                               label=_("The amount claimed"))
    if amount < 0:
        errors["amount_claimed"] = [_("The amount claimed cannot be negative.")]
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = [_("The order is not one of this customer's.")]
    if handler is None:
        handler = by if selectors.may_handle(by, customer) else customer.owner
    if handler is None or not selectors.may_handle(handler, customer):
        errors["handler"] = [_("Choose a handler who handles complaints and sees this customer.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(Complaint, words=words)
    received_at = received_at or timezone.now()
    respond_by, resolve_by = ComplaintPolicy.current().deadlines(severity, received_at)
    complaint = Complaint(customer=customer, order=order, product=product, kind=kind, nature=nature,
                          severity=severity, channel=channel, received_by=by, handler=handler, words=words,
                          amount_claimed=amount.quantize(CENT), received_at=received_at, respond_by=respond_by,
                          resolve_by=resolve_by)
    with transaction.atomic():
        save_by(complaint, by)
        lists_changed(selectors.COMPLAINT_LIST)
    return complaint


def check_step(complaint: Complaint, step: str, done: set[str]) -> None:
    """CMP-2: refuse a step of a closed complaint, one recorded already, or one whose earlier
    steps are missing (naming the first of them)."""
    if step not in Step.values:
        raise ValidationFailed(_("Choose a step of the process."), field_errors={"step": [_("Unknown step.")]})
    if complaint.status == Status.CLOSED:
        raise ValidationFailed(_("This complaint is closed."))
    if step in done:
        raise ValidationFailed(_("The step “%(step)s” is already recorded.") % {"step": _step_name(step)})
    missing = next((s for s in STEPS[:STEPS.index(Step(step))] if s.value not in done), None)
    if missing is not None:
        raise StepMissing(_("Record “%(first)s” first: the steps are taken in order.")
                          % {"first": _step_name(missing)}, step=missing.value)


def _solution_amount(amount) -> Decimal:
    amount = decimal_or_refuse(amount if str(amount or "").strip() else "0", field="amount",
                               label=_("The cost of the solution"))
    if amount < 0:
        raise ValidationFailed(_("The cost of the solution cannot be negative."),
                               field_errors={"amount": [_("Not below zero.")]})
    return amount.quantize(CENT)


def _check_within_authority(by, complaint: Complaint, amount: Decimal) -> None:
    """CMP-2: a solution beyond `by`'s authority is escalated, never recorded by them."""
    pending = selectors.pending_escalation_of(complaint)
    if pending is not None:
        raise ValidationFailed(_("The solution waits for acceptance by the %(level)s: it is recorded when they "
                                 "accept it.") % {"level": pending.get_level_display()})
    allowed = selectors.authority_of(by)
    if allowed is not None and amount > allowed:
        level = escalation_level(by, complaint, amount)
        raise OverAuthority(_("The solution (%(amount)s) is beyond your authority (%(allowed)s): escalate it to the "
                              "%(level)s, who accepts it and takes the complaint over.")
                            % {"amount": money(amount), "allowed": money(allowed), "level": role_label(level)},
                            amount=amount, allowed=allowed, level=level)


def step_record(*, by, complaint: Complaint, step: str, note: str = "", amount=None, cause: str = "",
                responsibility: str = "") -> ComplaintStep:
    """CMP-2: record one step of the handling, by `by`, now. Proposing a solution records its
    cost (`amount`), within `by`'s authority (CMP-2: else it is escalated). The investigation may
    name the `cause` found, the decision the `responsibility` (CMP-6: the analysis counts them)."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    require(by, HANDLE_COMPLAINTS, _("Your role does not handle complaints."))
    errors: dict[str, list] = {}
    cause = _choice(cause, Complaint.Cause, field="cause", message=_("Choose a cause from the list."), errors=errors,
                    default="") if step == Step.INVESTIGATE else ""
    responsibility = _choice(responsibility, Complaint.Responsibility, field="responsibility",
                             message=_("Choose who is responsible from the list."), errors=errors,
                             default="") if step == Step.DECIDE else ""
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    note = (note or "").strip()
    check_lengths(ComplaintStep, note=note)
    cost = _solution_amount(amount) if step == Step.PROPOSE else None
    with transaction.atomic():
        current = lock_complaint(complaint.pk)
        done = set(current.steps.values_list("step", flat=True))
        check_step(current, step, done)
        if Step(step) in NOTE_REQUIRED and not note:
            raise ValidationFailed(_("Write what was done for “%(step)s”.") % {"step": _step_name(step)},
                                   field_errors={"note": [_("Required for this step.")]})
        if cost is not None:
            _check_within_authority(by, current, cost)
            current.solution_amount = cost
        record = ComplaintStep(complaint=current, step=step, note=note, by=by)
        save_by(record, by)
        now = timezone.now()
        current.step = step
        if cause:
            current.cause = cause
        if responsibility:
            current.responsibility = responsibility
        if current.status == Status.OPEN:
            current.status = Status.HANDLING
        if current.first_response_at is None:
            current.first_response_at = now  # CMP-4: time to first response
        save_by(current, by)
        lists_changed(selectors.COMPLAINT_LIST)
    return record


def check_closable(complaint: Complaint, done: set[str]) -> None:
    """CMP-2: refuse to close a complaint closed already, or with a step missing (the first one named)."""
    if complaint.status == Status.CLOSED:
        raise ValidationFailed(_("This complaint is already closed."))
    missing = next((s for s in STEPS if s.value not in done), None)
    if missing is not None:
        raise StepMissing(_("Not closed: the step “%(step)s” is missing. Every step of the process is recorded "
                            "before a complaint is closed.") % {"step": _step_name(missing)}, step=missing.value)


def complaint_close(*, by, complaint: Complaint) -> Complaint:
    """CMP-2: close a complaint whose every step is recorded."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    with transaction.atomic():
        current = lock_complaint(complaint.pk)
        check_closable(current, set(current.steps.values_list("step", flat=True)))
        current.status, current.closed_at = Status.CLOSED, timezone.now()
        save_by(current, by)
        lists_changed(selectors.COMPLAINT_LIST)
    return current


# --- authority and escalation (CMP-2, CMP-3) ----------------------------------------------------------------

def role_label(role: str) -> str:
    from kehu.core.roles import Role

    return str(dict(Role.choices).get(role, role))


def escalation_level(by, complaint: Complaint, amount: Decimal) -> str:
    """CMP-2 on CRD-2's chain (office director → sales manager → marketing VP → general manager):
    the role a solution beyond `by`'s authority goes to — the first level above `by` whose own
    authority covers it (credit.rules, as for a discount), or the next level up with someone who
    sees the customer, when that level has nobody for it."""
    level = discount_signing_level(deepest=amount, requester_role=by.role, allowances=selectors.authorities())
    for candidate in CHAIN[CHAIN.index(level):]:
        role = str(LEVEL_ROLE[candidate])
        if any(person.pk != by.pk for person in selectors.level_people(complaint.customer, role)):
            return role
    return str(LEVEL_ROLE[CHAIN[-1]])


def _tell(recipient, *, kind: str, title, url: str, body="", dedupe_key: str = "") -> None:
    """A reminder written in the recipient's language (title and body are callables of no argument)."""
    with in_language_of(recipient):
        notify(recipient=recipient, kind=kind, title=title(), url=url, body=body() if body else "",
               dedupe_key=dedupe_key)


def complaint_escalate(*, by, complaint: Complaint, amount, solution: str) -> Escalation:
    """CMP-2: send a solution beyond `by`'s authority up to the next level that may give it. The
    complaint keeps its handler, who stays responsible and sees it, until someone of that level
    accepts (escalation_decide); each of them is told."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    require(by, HANDLE_COMPLAINTS, _("Your role does not handle complaints."))
    cost = _solution_amount(amount)
    solution = (solution or "").strip()
    if not solution:
        raise ValidationFailed(_("Describe the solution to escalate."), field_errors={"solution": [_("Required.")]})
    check_lengths(Escalation, solution=solution)
    with transaction.atomic():
        current = lock_complaint(complaint.pk)
        check_step(current, Step.PROPOSE, set(current.steps.values_list("step", flat=True)))
        try:
            _check_within_authority(by, current, cost)
        except OverAuthority as over:
            level = over.level
        else:
            raise ValidationFailed(_("The solution is within your authority: record it as the proposal."))
        try:
            with transaction.atomic():
                escalation = Escalation(complaint=current, amount=cost, solution=solution, level=level,
                                        requested_by=by)
                save_by(escalation, by)
        except IntegrityError:
            raise StaleEdit(_("This complaint was escalated at the same moment; reload it.")) from None
        url = current.get_absolute_url()
        for person in selectors.level_people(current.customer, level):
            if person.pk != by.pk:
                _tell(person, kind="complaint_escalated", url=url, dedupe_key=f"complaint-escalation:{escalation.pk}",
                      title=lambda: _("Complaint #%(number)d of %(customer)s escalated to you: %(amount)s")
                      % {"number": current.pk, "customer": current.customer.name, "amount": money(cost)},
                      body=lambda: solution)
        lists_changed(selectors.COMPLAINT_LIST)
    return escalation


def escalation_refusal(user, escalation: Escalation) -> str | None:
    """CMP-2: why `user` may not accept or decline the escalation, or None when they may."""
    if escalation.status != Escalation.Status.PENDING:
        return _("This escalation was already decided.")
    if user.pk == escalation.requested_by_id:
        return _("You escalated this solution, so someone of the %(level)s accepts it.") % {
            "level": escalation.get_level_display()}
    if user.role != escalation.level or not selectors.may_handle(user, escalation.complaint.customer):
        return _("This escalation waits for the %(level)s.") % {"level": escalation.get_level_display()}
    return None


def escalation_decide(*, by, complaint: Complaint, accept: bool, comment: str = "") -> Escalation:
    """CMP-2: the level escalated to accepts the solution — and takes the complaint over as its
    handler, the proposal recorded in their name — or declines it, with a reason, leaving the
    handler to find another solution. The handler is told either way."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    comment = (comment or "").strip()
    check_lengths(Escalation, comment=comment)
    if not accept and not comment:
        raise ValidationFailed(_("Say why the solution is declined."), field_errors={"comment": [_("Required.")]})
    with transaction.atomic():
        current = lock_complaint(complaint.pk)
        escalation = selectors.pending_escalation_of(current)
        if escalation is None:
            raise ValidationFailed(_("Nothing of this complaint waits for acceptance."))
        refusal = escalation_refusal(by, escalation)
        if refusal:
            raise PermissionDeniedError(refusal)
        previous = current.handler
        escalation.status = Escalation.Status.ACCEPTED if accept else Escalation.Status.DECLINED
        escalation.decided_by, escalation.decided_at, escalation.comment = by, timezone.now(), comment
        save_by(escalation, by)
        if accept:
            check_step(current, Step.PROPOSE, set(current.steps.values_list("step", flat=True)))
            save_by(ComplaintStep(complaint=current, step=Step.PROPOSE, note=escalation.solution, by=by), by)
            current.handler, current.step, current.solution_amount = by, Step.PROPOSE, escalation.amount
            save_by(current, by)
        url = current.get_absolute_url()
        for person in {previous.pk: previous, escalation.requested_by_id: escalation.requested_by}.values():
            if person.pk == by.pk:
                continue
            _tell(person, kind="complaint_escalation_decided", url=url,
                  dedupe_key=f"complaint-escalation-decided:{escalation.pk}",
                  title=(lambda: _("Complaint #%(number)d: %(name)s accepted the solution and handles it now")
                         % {"number": current.pk, "name": by.display_name}) if accept else
                  (lambda: _("Complaint #%(number)d: %(name)s declined the solution")
                   % {"number": current.pk, "name": by.display_name}), body=lambda: comment)
        lists_changed(selectors.COMPLAINT_LIST)
    return escalation


# --- the three changes 三变法 (CMP-3) ----------------------------------------------------------------------

def change_plan(*, by, complaint: Complaint, kind: str, note: str, due_at, who=None) -> Change:
    """CMP-3: plan a change of person, place or time for a heated case, due at `due_at`. A change
    of person names who meets the customer (a handler who sees them, not `by`)."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    require(by, HANDLE_COMPLAINTS, _("Your role does not handle complaints."))
    note = (note or "").strip()
    errors = {}
    if kind not in Change.Kind.values:
        errors["kind"] = [_("Choose the person, the place or the time.")]
    if not note:
        errors["note"] = [_("Say what is arranged.")]
    if due_at is None or due_at <= timezone.now():
        errors["due_at"] = [_("Give the time it is due, after now.")]
    if kind == Change.Kind.PERSON and (who is None or who.pk == by.pk
                                       or not selectors.may_handle(who, complaint.customer)):
        errors["who"] = [_("Name who meets the customer instead: someone who handles complaints and sees "
                           "this customer.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(Change, note=note)
    with transaction.atomic():
        current = lock_complaint(complaint.pk)
        if current.status == Status.CLOSED:
            raise ValidationFailed(_("This complaint is closed."))
        change = Change(complaint=current, kind=kind, note=note, due_at=due_at, by=by,
                        who=who if kind == Change.Kind.PERSON else None)
        save_by(change, by)
        if change.who is not None:
            _tell(change.who, kind="complaint_change", url=current.get_absolute_url(),
                  dedupe_key=f"complaint-change:{change.pk}",
                  title=lambda: _("Meet %(customer)s about complaint #%(number)d by %(due)s")
                  % {"customer": current.customer.name, "number": current.pk,
                     "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")}, body=lambda: note)
    return change


def change_keep(*, by, complaint: Complaint, change_pk) -> Change:
    """CMP-3: the change was kept (the meeting held, the answer given by the promised time)."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    require(by, HANDLE_COMPLAINTS, _("Your role does not handle complaints."))
    with transaction.atomic():
        lock_complaint(complaint.pk)
        change = complaint.changes.filter(pk=change_pk).first()
        if change is None:
            raise ValidationFailed(_("No such change of this complaint."))
        if change.kept_at is not None:
            raise ValidationFailed(_("This change is already marked as kept."))
        change.kept_at = timezone.now()
        save_by(change, by)
    return change


# --- speed (CMP-4) -----------------------------------------------------------------------------------------

def _late(kind: str, now):
    """The complaints whose `kind` deadline is missed (still open past it, or met late) and not yet flagged."""
    if kind == Breach.Kind.RESPONSE:
        missed = Q(first_response_at__isnull=True, respond_by__lt=now) | Q(first_response_at__gt=F("respond_by"))
    else:
        missed = Q(closed_at__isnull=True, resolve_by__lt=now) | Q(closed_at__gt=F("resolve_by"))
    return (Complaint.objects.filter(missed).exclude(Exists(Breach.objects.filter(complaint=OuterRef("pk"), kind=kind)))
            .select_related("customer", "handler", "handler__office").order_by("pk"))


def flag_breaches(*, now=None) -> dict[str, int]:
    """CMP-4, run by the worker: flag each missed first-response or resolution deadline once, and
    escalate it — the handler's manager (accounts.selectors.managers_of) and the handler are told. A
    deadline already flagged is never flagged or told again (one Breach per complaint and kind)."""
    now = now or timezone.now()
    counts = {}
    for kind in Breach.Kind:
        flagged = 0
        for complaint in _late(kind, now):
            due = complaint.respond_by if kind == Breach.Kind.RESPONSE else complaint.resolve_by
            managers = managers_of(complaint.handler)
            try:
                with transaction.atomic():
                    breach = Breach.objects.create(complaint=complaint, kind=kind, due_at=due,
                                                   escalated_to=managers[0] if managers else None)
                    url = complaint.get_absolute_url()
                    for person in [*managers, complaint.handler]:
                        _tell(person, kind="complaint_breach", url=url, dedupe_key=f"complaint-breach:{breach.pk}",
                              title=lambda c=complaint, k=kind: _breach_title(c, k))
            except IntegrityError:
                continue  # flagged at the same moment by another worker
            flagged += 1
        counts[str(kind)] = flagged
    return counts


def _breach_title(complaint: Complaint, kind: str) -> str:
    if kind == Breach.Kind.RESPONSE:
        return _("Complaint #%(number)d of %(customer)s: the first response was due %(due)s (handler %(handler)s)") % {
            "number": complaint.pk, "customer": complaint.customer.name, "handler": complaint.handler.display_name,
            "due": timezone.localtime(complaint.respond_by).strftime("%Y-%m-%d %H:%M")}
    return _("Complaint #%(number)d of %(customer)s: the resolution was due %(due)s (handler %(handler)s)") % {
        "number": complaint.pk, "customer": complaint.customer.name, "handler": complaint.handler.display_name,
        "due": timezone.localtime(complaint.resolve_by).strftime("%Y-%m-%d %H:%M")}


# --- service orders (SVC-1) --------------------------------------------------------------------------------

def service_order_create(*, by, customer, kind: str, description: str, assignee, due_on, every_days=None,
                         order=None) -> ServiceOrder:
    """SVC-1: plan a service for a customer, assigned to someone who serves and sees the customer
    (who is told). With `every_days`, doing it schedules the next one (periodic maintenance)."""
    require(by, SERVE, _("Your role does not do after-sales service."))
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    description = (description or "").strip()
    errors = {}
    if kind not in ServiceOrder.Kind.values:
        errors["kind"] = [_("Choose the service.")]
    if not description:
        errors["description"] = [_("Say what is to be done.")]
    if due_on is None:
        errors["due_on"] = [_("Give the due date.")]
    if every_days is not None and not 1 <= every_days <= 366:
        errors["every_days"] = [_("Repeat every 1 to 366 days, or leave it empty.")]
    if assignee is None or not selectors.may_handle(assignee, customer):
        errors["assignee"] = [_("Choose someone who does after-sales service and sees this customer.")]
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = [_("The order is not one of this customer's.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(ServiceOrder, description=description)
    with transaction.atomic():
        planned = ServiceOrder(customer=customer, order=order, kind=kind, description=description, assignee=assignee,
                               due_on=due_on, every_days=every_days, created_by=by)
        save_by(planned, by)
        if assignee.pk != by.pk:
            _tell(assignee, kind="service_order", url=planned.get_absolute_url(),
                  dedupe_key=f"service-order:{planned.pk}",
                  title=lambda: _("%(service)s for %(customer)s by %(due)s")
                  % {"service": planned.get_kind_display(), "customer": customer.name, "due": due_on.isoformat()},
                  body=lambda: description)
        lists_changed(selectors.SERVICE_ORDER_LIST)
    return planned


def service_order_done(*, by, service_order: ServiceOrder, outcome: str, rating=None, parts: str = "",
                       cost=None) -> ServiceOrder:
    """SVC-1: record a service as done, with its outcome, the customer's rating (1–5), the parts
    used and the cost; a periodic one schedules its next visit `every_days` after today."""
    service_order = selectors.service_order_get_for_user(user=by, pk=service_order.pk, write=True)
    outcome, parts = (outcome or "").strip(), (parts or "").strip()
    errors = {}
    if not outcome:
        errors["outcome"] = [_("Say how it went.")]
    if rating is not None and rating not in range(1, 6):
        errors["rating"] = [_("A rating is 1 to 5.")]
    amount = None
    if cost is not None and str(cost).strip():
        amount = decimal_or_refuse(cost, field="cost", label=_("The cost"))
        if amount < 0:
            errors["cost"] = [_("The cost cannot be negative.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(ServiceOrder, outcome=outcome, parts=parts)
    with transaction.atomic():
        current = lock(ServiceOrder, service_order.pk)
        if current.status == ServiceOrder.Status.DONE:
            raise ValidationFailed(_("This service is already done."))
        current.status, current.done_at = ServiceOrder.Status.DONE, timezone.now()
        current.outcome, current.rating, current.parts = outcome, rating, parts
        current.cost = amount.quantize(CENT) if amount is not None else None
        save_by(current, by)
        if current.every_days:
            start = max(current.due_on, timezone.localdate())
            save_by(ServiceOrder(customer_id=current.customer_id, order=current.order, kind=current.kind,
                                 description=current.description, assignee=current.assignee,
                                 due_on=start + timedelta(days=current.every_days), every_days=current.every_days,
                                 created_by=by), by)
        lists_changed(selectors.SERVICE_ORDER_LIST)
    return current
