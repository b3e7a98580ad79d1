"""DescribeTargetHealth tells the truth: the emulator health-checks each registered target as its
target group says, and a target is its address and port, as in AWS (moto: every target healthy,
one target per address)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from target_groups import target_group


class _App(ThreadingHTTPServer):
    """A loopback server whose health path answers `status` after `delay` seconds."""

    daemon_threads = True

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.status, self.delay, self.seen = status, delay, []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):  # noqa: N805 (the server is `self` here)
                self.seen.append((handler.path, handler.headers.get("User-Agent")))
                time.sleep(self.delay)
                handler.send_response(self.status)
                handler.send_header("Content-Length", "0")
                handler.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


@pytest.fixture
def apps():
    started: list[_App] = []

    def start(**kwargs) -> _App:
        started.append(_App(**kwargs))
        return started[-1]

    yield start
    for app in started:
        app.close()


def _health(elb, arn) -> dict[tuple[str, int], dict]:
    described = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"] for d in described}


def _wait_for(elb, arn, target, state, deadline=30.0) -> dict:
    until = time.monotonic() + deadline
    while True:
        health = _health(elb, arn).get(target, {"State": "absent"})
        if health["State"] == state or time.monotonic() > until:
            return health
        time.sleep(0.1)


def test_two_targets_on_one_address_are_two_targets_each_healthy_after_passing_its_checks(aws, apps):
    elb, arn = target_group()
    one, two = apps(), apps()
    elb.register_targets(
        TargetGroupArn=arn,
        Targets=[{"Id": "127.0.0.1", "Port": one.port}, {"Id": "127.0.0.1", "Port": two.port}],
    )
    first = _health(elb, arn)
    assert set(first) == {("127.0.0.1", one.port), ("127.0.0.1", two.port)}
    assert {h["State"] for h in first.values()} == {"initial"}
    assert _wait_for(elb, arn, ("127.0.0.1", one.port), "healthy") == {"State": "healthy"}
    assert _wait_for(elb, arn, ("127.0.0.1", two.port), "healthy") == {"State": "healthy"}
    assert ("/healthz", "ELB-HealthChecker/2.0") in one.seen


def test_a_target_that_answers_500_is_unhealthy_naming_the_code(aws, apps):
    elb, arn = target_group()
    app = apps(status=500)
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": app.port}])
    assert _wait_for(elb, arn, ("127.0.0.1", app.port), "unhealthy") == {
        "State": "unhealthy",
        "Reason": "Target.ResponseCodeMismatch",
        "Description": "Health checks failed with these codes: [500]",
    }


def test_the_matcher_accepts_a_range_of_codes(aws, apps):
    elb, arn = target_group(matcher="200-299")
    app = apps(status=204)
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": app.port}])
    assert _wait_for(elb, arn, ("127.0.0.1", app.port), "healthy")["State"] == "healthy"


def test_a_target_nothing_listens_on_fails_its_health_checks(aws, apps):
    elb, arn = target_group()
    app = apps()
    port = app.port
    app.close()
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": port}])
    assert _wait_for(elb, arn, ("127.0.0.1", port), "unhealthy") == {
        "State": "unhealthy",
        "Reason": "Target.FailedHealthChecks",
        "Description": "Health checks failed",
    }


def test_a_target_slower_than_the_timeout_times_out(aws, apps):
    elb, arn = target_group(timeout=2)
    app = apps(delay=3)
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": app.port}])
    health = _wait_for(elb, arn, ("127.0.0.1", app.port), "unhealthy")
    assert (health["State"], health.get("Reason")) == ("unhealthy", "Target.Timeout")


def test_a_healthy_target_that_starts_failing_becomes_unhealthy_and_recovers(aws, apps):
    elb, arn = target_group()
    app = apps()
    target = ("127.0.0.1", app.port)
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": app.port}])
    assert _wait_for(elb, arn, target, "healthy")["State"] == "healthy"
    app.status = 503
    assert _wait_for(elb, arn, target, "unhealthy")["Reason"] == "Target.ResponseCodeMismatch"
    app.status = 200
    assert _wait_for(elb, arn, target, "healthy")["State"] == "healthy"


def test_a_deregistered_target_drains_for_the_delay_then_is_gone(aws, apps):
    elb, arn = target_group(delay="2")
    app = apps()
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": app.port}])
    elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": app.port}])
    assert _health(elb, arn)[("127.0.0.1", app.port)] == {
        "State": "draining",
        "Reason": "Target.DeregistrationInProgress",
        "Description": "Target deregistration is in progress",
    }
    assert _wait_for(elb, arn, ("127.0.0.1", app.port), "absent")["State"] == "absent"


def test_deregistering_one_port_leaves_the_other_target_on_the_same_address(aws, apps):
    elb, arn = target_group()
    one, two = apps(), apps()
    elb.register_targets(
        TargetGroupArn=arn,
        Targets=[{"Id": "127.0.0.1", "Port": one.port}, {"Id": "127.0.0.1", "Port": two.port}],
    )
    elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": one.port}])
    assert set(_health(elb, arn)) == {("127.0.0.1", two.port)}
