"""Following a background job (core.jobs) as the browser does: the progress fragment polled
(as htmx does every second) until it sends the browser to the result page."""

import re
import time

from django.urls import reverse

from kehu.core.models import Job

GIVE_UP_AFTER = 180  # seconds; a safeguard against a stuck worker, not a measure


def job_of(response) -> Job:
    """The job a page redirected to (its progress page)."""
    assert response.status_code == 302, response.status_code
    pk = int(re.fullmatch(r"/jobs/(\d+)/", response["Location"])[1])
    return Job.objects.get(pk=pk)


def follow(client, job: Job) -> tuple[list[tuple[str, int, int]], object]:
    """Poll the job's progress fragment until the job ends: every (status, done, total) read
    on the way, and the result page."""
    seen, deadline = [], time.monotonic() + GIVE_UP_AFTER
    url = reverse("core:job_progress", args=[job.pk])
    while time.monotonic() < deadline:
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code in (200, 204), response.status_code
        if response.status_code == 204:
            assert response["HX-Redirect"] == reverse("core:job_result", args=[job.pk])
            return seen, client.get(response["HX-Redirect"])
        status, done, total = re.search(
            r'data-status="(\w+)" data-done="(\d+)" data-total="(\d+)"', response.text).groups()
        assert 'hx-trigger="every 1s"' in response.text
        seen.append((status, int(done), int(total)))
        time.sleep(0.02)
    raise AssertionError(f"job {job.pk} did not end; seen {seen[-3:]}")


def midway(seen, total: int) -> bool:
    """Some poll read the job running with part of its rows done."""
    return any(status == "running" and 0 < done < total == shown for status, done, shown in seen)
