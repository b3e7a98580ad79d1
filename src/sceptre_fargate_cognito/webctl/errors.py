"""The one exception type of `webctl`: what went wrong and how to fix it, printed without a traceback."""

from __future__ import annotations

# Exit statuses shared by every subcommand: 0 done (or all well), 1 done but needs attention
# (`status`), 2 could not do it or cannot tell.
OK = 0
ATTENTION = 1
ERROR = 2


class WebctlError(Exception):
    """A refusal or failure a user can act on; the message names what was wrong and the fix."""
