"""Logging filters of the console handler (settings.LOGGING)."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """A refused request (403) is an everyday answer — a role that may not do something — not a
    fault: it is logged as its one line ("Forbidden (Permission denied): /path"), without the
    traceback Django attaches to it. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
