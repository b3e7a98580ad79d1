"""Sceptre's stack waiter without its last sleep.

Sceptre 4.7 waits for a stack action by reading the stack's status, logging its new events, then
sleeping 4 s, also after the status that ends the wait (`StackActions._wait_for_completion` in
`sceptre/plan/actions.py`). Every create, update or delete so costs 4 s more than its work: 12 s of
a launch of the five stacks (three levels, one after another), on AWS as on `local`, where an action
is done when its call returns.

`install()` gives Sceptre the same loop, except that it sleeps only while the stack is still in
progress: the same calls at the same 4 s cadence, the same events logged, the same timeout, and it
returns as soon as a status ends the wait. It does so only for the Sceptre releases it was read
from (SCEPTRE_RELEASES); any other keeps its own waiter (correct, 4 s slower an action), and
tests/test_sceptre_waiter.py fails, so whoever moves the pin reads the new waiter first.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import sceptre
from dateutil.tz import tzutc
from sceptre.helpers import extract_datetime_from_aws_response_headers
from sceptre.plan.actions import StackActions
from sceptre.stack_status import StackStatus

SCEPTRE_RELEASES = ("4.7.0",)
POLL_SECONDS = 4  # Sceptre's own cadence: no more DescribeStacks calls against AWS than it makes
SCEPTRE_WAITER = StackActions._wait_for_completion  # Sceptre's own, kept by another release


def _wait_for_completion(self: StackActions, timeout: int = 0, boto_response: dict | None = None) -> Any:
    """Sceptre's `_wait_for_completion` (timeout in minutes; the final status), without the sleep
    after the status that ends the wait."""
    timeout_seconds = 60 * timeout
    most_recent_event_datetime = extract_datetime_from_aws_response_headers(boto_response) or (
        datetime.now(tzutc()) - timedelta(seconds=3)
    )
    elapsed = 0
    while True:
        status = self._get_simplified_status(self._get_status())
        most_recent_event_datetime = self._log_new_events(most_recent_event_datetime)
        if status != StackStatus.IN_PROGRESS:
            return status
        time.sleep(POLL_SECONDS)
        elapsed += POLL_SECONDS
        if timeout_seconds and elapsed >= timeout_seconds:
            return status


def install() -> bool:
    """Replace Sceptre's waiter with ours if Sceptre is a release it was read from; True if so."""
    if sceptre.__version__ not in SCEPTRE_RELEASES:
        return False
    StackActions._wait_for_completion = _wait_for_completion
    return True
