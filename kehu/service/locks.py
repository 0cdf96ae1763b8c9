"""Row locks of complaints (core.locks): a complaint is locked before a step is recorded or it
is closed, so two handlers at the same moment cannot record the same step or skip one."""

from kehu.core.locks import lock
from kehu.service.models import Complaint


def lock_complaint(pk) -> Complaint:
    return lock(Complaint, pk)
