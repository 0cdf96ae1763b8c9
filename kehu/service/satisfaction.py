"""CMP-6 after closing: the customer is asked about the handling of a closed complaint — through
a signed link that works without logging in and expires (ComplaintPolicy.survey_days), or staff
record the answer from a call. Either way the answer is taken once; a second one is refused."""

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.errors import ValidationFailed
from kehu.core.history import save_by
from kehu.core.importing import check_lengths
from kehu.service import selectors
from kehu.service.capabilities import HANDLE_COMPLAINTS
from kehu.service.locks import lock_complaint
from kehu.service.models import Complaint, ComplaintPolicy, Satisfaction

SALT = "kehu.service.satisfaction"


class LinkInvalid(ValidationFailed):
    """The link is not one we signed (mistyped, tampered with) or names no complaint (code link_invalid)."""

    status = 404
    code = "link_invalid"


class LinkExpired(ValidationFailed):
    """The link is older than the policy allows (code link_expired)."""

    status = 410
    code = "link_expired"


class TooMany(ValidationFailed):
    """Too many answers from one address in an hour (code too_many)."""

    status = 429
    code = "too_many"


class AlreadyAnswered(ValidationFailed):
    """The complaint's satisfaction is answered already (code already_answered)."""

    status = 409
    code = "already_answered"


def survey_token(complaint: Complaint) -> str:
    """The signed token of the complaint's satisfaction link: it names the complaint and when it was
    made; only this server can make one (SECRET_KEY), and it expires (survey_days)."""
    return signing.dumps({"c": complaint.pk}, salt=SALT, compress=True)


def survey_path(complaint: Complaint) -> str:
    return reverse("service:satisfaction_answer", args=[survey_token(complaint)])


def complaint_of_token(token: str) -> Complaint:
    """The closed complaint the token names, or LinkInvalid / LinkExpired."""
    days = ComplaintPolicy.current().survey_days
    try:
        data = signing.loads(token or "", salt=SALT, max_age=days * 24 * 3600)
    except signing.SignatureExpired as exc:
        raise LinkExpired(_("This link has expired. Please contact us if you would still like to tell us how "
                            "your complaint was handled.")) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid(_("This link is not valid. Please check that it was copied completely.")) from exc
    pk = data.get("c") if isinstance(data, dict) else None
    complaint = Complaint.objects.select_related("customer").filter(pk=pk).first() if isinstance(pk, int) else None
    if complaint is None or complaint.status != Complaint.Status.CLOSED:
        raise LinkInvalid(_("This link is not valid. Please check that it was copied completely."))
    return complaint


def _rating(value) -> int:
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationFailed(_("Choose a rating from 1 to 5."), field_errors={"rating": [_("From 1 to 5.")]})
    return rating


def _record(complaint: Complaint, *, rating, comment: str, source: str, by=None) -> Satisfaction:
    rating = _rating(rating)
    comment = (comment or "").strip()
    check_lengths(Satisfaction, comment=comment)
    try:
        with transaction.atomic():
            current = lock_complaint(complaint.pk)
            if current.status != Complaint.Status.CLOSED:
                raise ValidationFailed(_("The customer is asked about the handling once the complaint is closed."))
            if Satisfaction.objects.filter(complaint=current).exists():
                raise AlreadyAnswered(_("The satisfaction with this complaint's handling has already been "
                                        "answered; it is taken once."))
            answer = Satisfaction(complaint=current, rating=rating, comment=comment, source=source,
                                  recorded_by=by)
            save_by(answer, by)
    except IntegrityError as exc:  # two answers at once: the second loses
        raise AlreadyAnswered(_("The satisfaction with this complaint's handling has already been answered; it is "
                                "taken once.")) from exc
    return answer


def answer_by_link(*, token: str, rating, comment: str = "") -> Satisfaction:
    """CMP-6: the customer answers through the signed link (no login): once, before it expires."""
    complaint = complaint_of_token(token)
    return _record(complaint, rating=rating, comment=comment, source=Satisfaction.Source.LINK)


def record_by_staff(*, by, complaint: Complaint, rating, comment: str = "") -> Satisfaction:
    """CMP-6: staff record the customer's answer (from a call or a visit), once."""
    complaint = selectors.complaint_get_for_user(user=by, pk=complaint.pk, write=True)
    require(by, HANDLE_COMPLAINTS, _("Your role does not handle complaints."))
    return _record(complaint, rating=rating, comment=comment, source=Satisfaction.Source.STAFF, by=by)
