"""`webctl logs <env>`: what the service's tasks are saying, every task at once, in time order.

Reads the service's log group (the alb-ecs stack's output LogGroupName) with FilterLogEvents, every
page of it. ECS names a task's stream `<prefix>/<container>/<task id>`, so each line says which task
and container printed it. `--follow` polls again from a little before the newest line it printed
and drops lines it already printed (by eventId), so a line that arrives late or sits across a page
boundary is printed once and never skipped. It only reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Callable, Iterable

from sceptre_fargate_cognito.webctl.environment import Environment
from sceptre_fargate_cognito.webctl.errors import OK, WebctlError

STACK = "alb-ecs"
POLL_SECONDS = 2.0
# How far before the newest line printed each poll reads again: CloudWatch Logs makes a line
# searchable a few seconds after its timestamp, and several lines can share one millisecond.
OVERLAP_MS = 15_000
TASK_ID_SHOWN = 8  # characters of the task id, as a short git hash: enough to tell tasks apart
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> dt.timedelta:
    """`10m` as a timedelta: a whole number and a unit, s, m, h or d."""
    match = _DURATION.match(text.strip())
    if not match or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: write a whole number above 0 and a unit, s, m, h or d (e.g. 30s, 10m, 2h, 1d)"
        )
    return dt.timedelta(**{_UNITS[match[2]]: int(match[1])})


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("logs", help="the service's log lines from all its tasks, in time order")
    parser.add_argument("environment", help="the environment (a folder of config/, e.g. prod)")
    parser.add_argument(
        "--since",
        type=duration,
        default=duration("10m"),
        metavar="DURATION",
        help="how far back to start: 30s, 10m, 2h, 1d (default 10m)",
    )
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing new lines until Ctrl-C")
    parser.add_argument(
        "--filter",
        metavar="PATTERN",
        default=None,
        help="only lines that match a CloudWatch Logs filter pattern (e.g. ERROR, \"?ERROR ?WARN\", '{ $.status = 500 }')",
    )
    parser.set_defaults(run=run)


def task_of(stream: str) -> str:
    """`<container> <task id>` from an ECS stream name `<prefix>/<container>/<task id>`; any other
    stream's own name."""
    parts = stream.split("/")
    if len(parts) == 3 and parts[2]:
        return f"{parts[2][:TASK_ID_SHOWN]} {parts[1]}"
    return stream


def line(event: dict) -> str:
    stamp = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.timezone.utc)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    return f"{when} {task_of(event.get('logStreamName', ''))} | {event['message'].rstrip(chr(10))}"


def read(environment: Environment, group: str, start_ms: int, pattern: str | None) -> list[dict]:
    """Every event of `group` from `start_ms` on, all pages, in time order."""
    from botocore.exceptions import ClientError

    arguments: dict = {"logGroupName": group, "startTime": start_ms}
    if pattern:
        arguments["filterPattern"] = pattern
    events: list[dict] = []
    try:
        for page in environment.paginate(STACK, "logs", "filter_log_events", "nextToken", arguments):
            events.extend(page.get("events", []))
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            raise WebctlError(
                f"the service's log group {group} does not exist: run `sceptre launch {environment.name}` to create it"
            ) from err
        if code == "InvalidParameterException" and pattern:
            raise WebctlError(
                f"--filter {pattern!r} was refused: {err.response['Error'].get('Message', code)} "
                "(CloudWatch Logs filter pattern syntax)"
            ) from err
        raise
    return sorted(
        events, key=lambda e: (e["timestamp"], e.get("ingestionTime", 0), e.get("logStreamName", ""))
    )


def follow(
    poll: Callable[[int], Iterable[dict]],
    start_ms: int,
    emit: Callable[[dict], object],
    *,
    polls: int | None = None,
) -> None:
    """Print what `poll(start_ms)` returns, then poll again and again (at most `polls` times; for
    ever by default) from OVERLAP_MS before the newest line seen, each line once."""
    seen: dict[str, int] = {}  # eventId -> timestamp, for the lines inside the overlap
    newest = start_ms
    count = 0
    while polls is None or count < polls:
        if count:
            time.sleep(POLL_SECONDS)
        window = max(start_ms, newest - OVERLAP_MS)
        for event in poll(window):
            if event["eventId"] in seen:
                continue
            seen[event["eventId"]] = event["timestamp"]
            newest = max(newest, event["timestamp"])
            emit(event)
        # Forget what can no longer come back: lines older than the next poll's window.
        horizon = newest - OVERLAP_MS
        seen = {event_id: stamp for event_id, stamp in seen.items() if stamp >= horizon}
        count += 1


def run(args: argparse.Namespace, environment: Environment) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    start_ms = int((time.time() - args.since.total_seconds()) * 1000)

    def emit(event: dict) -> None:
        print(line(event), flush=True)

    group = "the service's log group"
    try:
        group = environment.output(STACK, "LogGroupName")
        follow(
            lambda start: read(environment, group, start, args.filter),
            start_ms,
            emit,
            polls=None if args.follow else 1,
        )
    except KeyboardInterrupt:
        return OK
    except (ClientError, BotoCoreError) as err:
        raise WebctlError(f"reading {group}: {err}") from err
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return OK
