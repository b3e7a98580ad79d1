"""`webctl logs <env>` through the real command, on `local` launched once for the session, with
lines put into the service's log group as ECS's awslogs driver names them
(`<prefix>/<container>/<task id>`)."""

from __future__ import annotations

import contextlib
import queue
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from local_project import PROJECT_ROOT
from webctl_support import WEBCTL, outputs, webctl, webctl_process

pytestmark = pytest.mark.e2e

PAGE = 10_000  # the most events one FilterLogEvents page (and one PutLogEvents call) holds


def new_task() -> str:
    return uuid.uuid4().hex


def put(local, task: str, lines: list[tuple[int, str]], container: str = "app") -> None:
    """Lines (timestamp in ms, message) as task `task`'s container printed them."""
    logs, group = local.client("logs"), outputs(local, "alb-ecs")["LogGroupName"]
    stream = f"app/{container}/{task}"
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    for start in range(0, len(lines), PAGE):
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": t, "message": m} for t, m in lines[start : start + PAGE]],
        )


def now_ms() -> int:
    return int(time.time() * 1000)


def with_marker(stdout: str, marker: str) -> list[str]:
    return [line for line in stdout.splitlines() if marker in line]


def test_lines_of_every_task_come_in_time_order_each_with_its_task(launched_local):
    local, marker, now = launched_local, uuid.uuid4().hex[:12], now_ms()
    first, second = new_task(), new_task()
    put(local, first, [(now - 3000, f"{marker} one"), (now - 1000, f"{marker} three")])
    put(local, second, [(now - 2000, f"{marker} two\n"), (now - 500, f"{marker} four")])
    put(local, first, [(now - 2500, f"{marker} init")], container="prepare-volumes")

    result = webctl(local, "logs", "local")
    assert result.returncode == 0, result.stderr
    lines = with_marker(result.stdout, marker)
    assert [line.split(" | ", 1)[1] for line in lines] == [
        f"{marker} {word}" for word in ("one", "init", "two", "three", "four")
    ]
    assert f"{first[:8]} app | {marker} one" in lines[0]
    assert f"{first[:8]} prepare-volumes | {marker} init" in lines[1]
    assert f"{second[:8]} app | {marker} two" in lines[2]
    assert lines[0].startswith(time.strftime("%Y-%m-%dT", time.gmtime((now - 3000) / 1000)))


def test_more_lines_than_a_page_are_each_printed_once(launched_local):
    local, marker, now = launched_local, uuid.uuid4().hex[:12], now_ms()
    count = PAGE + 50
    put(local, new_task(), [(now - 60_000 + i, f"{marker} {i}") for i in range(0, count, 2)])
    put(local, new_task(), [(now - 60_000 + i, f"{marker} {i}") for i in range(1, count, 2)])
    result = webctl(local, "logs", "local", "--since", "5m")
    assert result.returncode == 0, result.stderr
    numbers = [int(line.rsplit(" ", 1)[1]) for line in with_marker(result.stdout, marker)]
    assert numbers == list(range(count))


def test_since_reads_from_that_far_back_and_defaults_to_ten_minutes(launched_local):
    local, marker, now = launched_local, uuid.uuid4().hex[:12], now_ms()
    put(local, new_task(), [(now - 20 * 60_000, f"{marker} old"), (now - 60_000, f"{marker} recent")])
    default = with_marker(webctl(local, "logs", "local").stdout, marker)
    assert [line.split(" | ")[1] for line in default] == [f"{marker} recent"]
    longer = with_marker(webctl(local, "logs", "local", "--since", "30m").stdout, marker)
    assert [line.split(" | ")[1] for line in longer] == [f"{marker} old", f"{marker} recent"]
    shorter = with_marker(webctl(local, "logs", "local", "--since", "30s").stdout, marker)
    assert shorter == []


def test_filter_passes_the_pattern_to_cloudwatch_logs(launched_local):
    local, marker, now = launched_local, uuid.uuid4().hex[:12], now_ms()
    put(local, new_task(), [(now - 2000, f"{marker} INFO fine"), (now - 1000, f"{marker} ERROR broken")])
    result = webctl(local, "logs", "local", "--filter", "ERROR")
    assert result.returncode == 0, result.stderr
    assert [line.split(" | ")[1] for line in with_marker(result.stdout, marker)] == [f"{marker} ERROR broken"]


def test_a_duration_that_is_not_one_is_refused_before_anything_is_read(launched_local):
    result = webctl(launched_local, "logs", "local", "--since", "10 minutes")
    assert result.returncode == 2
    assert "'10 minutes' is not a duration" in result.stderr
    assert "30s, 10m, 2h, 1d" in result.stderr


class Lines:
    """A running command's stdout, line by line, readable with a timeout."""

    def __init__(self, process: subprocess.Popen):
        self.lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: [self.lines.put(line) for line in stdout], daemon=True).start()

    def until(self, predicate, seconds: float) -> list[str]:
        """Lines read until one satisfies `predicate` (that one included); fails after `seconds`."""
        seen, deadline = [], time.monotonic() + seconds
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"not seen within {seconds} s; saw {seen[-5:]}") from None
            seen.append(line)
            if predicate(line):
                return seen


def test_follow_prints_new_lines_within_seconds_each_once_across_pages_and_ctrl_c_ends_it_cleanly(
    launched_local,
):
    local, marker = launched_local, uuid.uuid4().hex[:12]
    process = webctl_process(local, "logs", "local", "--follow", "--since", "1m")
    assert process.stderr is not None
    stderr_stream, errors = process.stderr, []
    # Read as it comes: a pipe left unread fills, and a process blocked writing it never exits.
    draining = threading.Thread(target=lambda: errors.extend(stderr_stream), daemon=True)
    draining.start()
    try:
        lines = Lines(process)
        put(local, new_task(), [(now_ms(), f"{marker} start")])
        lines.until(lambda line: f"{marker} start" in line, seconds=60)  # start-up: Sceptre reads the project

        put(local, new_task(), [(now_ms(), f"{marker} new")])
        put_at = time.monotonic()
        lines.until(lambda line: f"{marker} new" in line, seconds=15)
        print(f"a new line was printed {time.monotonic() - put_at:.1f} s after it was put")

        # More lines than a page, while following, from two tasks: each printed once.
        count, now = PAGE + 50, now_ms()
        put(local, new_task(), [(now + i // 10, f"{marker} bulk {i}") for i in range(0, count, 2)])
        put(local, new_task(), [(now + i // 10, f"{marker} bulk {i}") for i in range(1, count, 2)])
        put(local, new_task(), [(now_ms() + 2000, f"{marker} end")])
        seen = lines.until(lambda line: f"{marker} end" in line, seconds=60)
        # A little longer: a line printed twice would come with the next polls.
        time.sleep(5)
        while not lines.lines.empty():
            seen.append(lines.lines.get())
        numbers = sorted(int(line.rsplit(" ", 1)[1]) for line in seen if f"{marker} bulk " in line)
        assert numbers == list(range(count))

        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            status = Path(f"/proc/{process.pid}/status").read_text()
            signals = [line for line in status.splitlines() if line.startswith(("State", "Sig"))]
            pytest.fail(
                f"still running 30 s after Ctrl-C ({signals}); its stderr so far: {''.join(errors)[-2000:]!r}"
            )
        assert code == 0
        draining.join(timeout=10)
        stderr = "".join(errors)
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# ------------------------------------------------------------------ cannot tell: exit 2


def run(*args: str, env: dict | None) -> subprocess.CompletedProcess:
    """`webctl <args>` in the project itself (nothing launched there)."""
    return subprocess.run(
        [str(WEBCTL), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_logs_of_an_environment_not_launched_says_to_launch_it(aws):
    result = run("logs", "local", env=None)
    assert result.returncode == 2
    assert (
        "stack webapp-local-alb-ecs (local/alb-ecs.yaml) is not launched: run `sceptre launch local` first"
        in (result.stderr)
    )
