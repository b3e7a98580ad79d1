"""The checks, their retry policy and the verdict; independent of Sceptre.

Runs the enabled checks in order (health, auth, http redirect) against one shared deadline. What
heals (no DNS answer yet, refused, reset, timeout, 502/503/504) is retried with capped exponential
backoff and jitter; what does not heal ends the run at once. Clock, sleep, resolver and randomness
are injected so tests and benchmarks drive real servers without waiting on wall time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import ssl
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from sceptre_fargate_cognito.health_check.options import Target
from sceptre_fargate_cognito.health_check.probe import (
    DEFAULT_PORTS,
    ProbeError,
    Resolver,
    Response,
    authority,
    fetch,
    split_host_port,
    system_resolver,
)

HEALING_STATUSES = frozenset({502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Judgement:
    outcome: str  # "ok", "retry" or "fail"
    detail: str


@dataclass
class CheckResult:
    name: str
    passed: bool | None = None  # None: not run (an earlier check failed) or switched off
    detail: str = "not run"


@dataclass
class Probe:
    check: str
    url: str
    at: dt.datetime
    status: int | None
    error: str | None
    latency: float | None
    outcome: str
    detail: str


@dataclass
class Verdict:
    healthy: bool
    url: str
    connect_to: str | None
    cause: str | None
    checks: list[CheckResult]
    probes: list[Probe]
    elapsed: float
    time_to_healthy: float | None
    certificate_not_after: dt.datetime | None
    certificate_days_left: int | None
    certificate_warning: bool

    @property
    def attempts(self) -> int:
        return len(self.probes)

    @property
    def latencies(self) -> list[float]:
        return [p.latency for p in self.probes if p.latency is not None]

    def summary(self) -> list[str]:
        target = self.url + (f" via {self.connect_to}" if self.connect_to else "")
        if self.healthy:
            head = f"HEALTHY {target} in {self.elapsed:.2f} s"
        else:
            head = f"UNHEALTHY {target} after {self.elapsed:.2f} s: {self.cause}"
        checks = "; ".join(
            f"{c.name} {'passed' if c.passed else 'FAILED' if c.passed is False else 'not run'}"
            + (f" ({c.detail})" if c.detail and c.passed is not None else "")
            for c in self.checks
        )
        lines = [head, f"  checks: {checks}"]
        stats = f"  attempts: {self.attempts}; time to healthy: " + (
            f"{self.time_to_healthy:.2f} s" if self.time_to_healthy is not None else "-"
        )
        if self.latencies:
            stats += (
                f"; latency p50 {statistics.median(self.latencies) * 1000:.0f} ms,"
                f" max {max(self.latencies) * 1000:.0f} ms"
            )
        lines.append(stats)
        if self.certificate_not_after is not None:
            line = (
                f"  certificate: expires {self.certificate_not_after:%Y-%m-%d %H:%M} UTC,"
                f" in {self.certificate_days_left} days"
            )
            if self.certificate_warning:
                line += " (WARNING: renew it, fewer than the warning threshold)"
            lines.append(line)
        return lines


def _same_origin(location: str, expected: str) -> bool:
    """Same scheme, host and port (an absent port is the scheme's default): the right host on the
    wrong port is a listener nobody configured."""
    try:
        got, want = urlsplit(location), urlsplit(expected)
        return (got.scheme, got.hostname, got.port or DEFAULT_PORTS.get(got.scheme)) == (
            want.scheme,
            want.hostname,
            want.port or DEFAULT_PORTS.get(want.scheme),
        )
    except ValueError:  # a Location with a bad port
        return False


def judge_health(target: Target, response: Response) -> Judgement:
    status = response.status
    if status == target.expected_status:
        return Judgement("ok", f"{status}")
    if status in HEALING_STATUSES:
        return Judgement("retry", f"{status}, not ready yet")
    if status in (401, 403):
        return Judgement("fail", f"{status} on the health path: it must answer without credentials")
    if status in REDIRECT_STATUSES:
        return Judgement(
            "fail",
            f"{status} redirect to {response.location or '(no Location)'} on the health path:"
            " it must answer without sign-in",
        )
    return Judgement("fail", f"{status} on the health path, expected {target.expected_status}")


def judge_auth(target: Target, response: Response) -> Judgement:
    status, location = response.status, response.location
    expected = f"https://{target.auth_domain}/oauth2/authorize"
    if status in HEALING_STATUSES:
        return Judgement("retry", f"{status}, not ready yet")
    if 200 <= status < 300:
        return Judgement(
            "fail", f"authentication not enforced: {target.protected_path} answered {status} without sign-in"
        )
    if status in (401, 403):
        # The request reached something that refused it (the application, most likely) instead of
        # being sent to sign in: the load balancer does not enforce sign-in.
        return Judgement(
            "fail",
            f"sign-in not enforced by the load balancer: {target.protected_path} answered {status}"
            f" instead of a 302 to {expected}",
        )
    if status in REDIRECT_STATUSES:
        if not location:
            return Judgement("fail", f"{status} without a Location")
        parts = urlsplit(location)
        if not _same_origin(location, expected):
            return Judgement("fail", f"redirect to an unexpected place {location}, expected {expected}")
        if parts.path != "/oauth2/authorize":
            return Judgement("fail", f"redirect to {location}, expected the hosted UI's {expected}")
        query = parse_qs(parts.query)
        if not query.get("client_id") or query.get("response_type") != ["code"]:
            return Judgement("fail", f"redirect to {location} lacks client_id or response_type=code")
        if status != 302:
            return Judgement("fail", f"{status} to the hosted UI, expected 302")
        return Judgement("ok", f"302 to {expected}")
    return Judgement("fail", f"{status} on {target.protected_path}, expected a 302 to {expected}")


def judge_http(target: Target, response: Response) -> Judgement:
    status, location = response.status, response.location
    expected = target.url + "/"
    if status in HEALING_STATUSES:
        return Judgement("retry", f"{status}, not ready yet")
    if status in REDIRECT_STATUSES:
        if not location:
            return Judgement("fail", f"{status} without a Location")
        if not _same_origin(location, expected):
            return Judgement("fail", f"redirect to an unexpected place {location}, expected {expected}")
        if status not in (301, 308):
            return Judgement("fail", f"{status} is a temporary redirect to https, expected 301 or 308")
        return Judgement("ok", f"{status} to {location}")
    return Judgement("fail", f"http:// not redirected to https:// ({status})")


@dataclass
class _Run:
    started: float
    deadline: float
    probes: list[Probe] = field(default_factory=list)
    time_to_healthy: float | None = None
    certificate_not_after: dt.datetime | None = None


class HealthCheck:
    def __init__(
        self,
        target: Target,
        *,
        resolver: Resolver = system_resolver,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
        emit: Callable[[str], None] = print,
        rng: random.Random | None = None,
    ):
        self.target = target
        self.resolver = resolver
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.emit = emit
        self.rng = rng or random.Random()
        # Verification is always on; a ca_bundle replaces the system store rather than adding to it,
        # so a private CA cannot be satisfied by a public one. SSL_CERT_FILE is read by OpenSSL.
        self.ssl_context = ssl.create_default_context(cafile=target.ca_bundle)
        self.host = urlsplit(target.url).hostname or ""

    def backoff(self, failures: int) -> float:
        """Wait after the n-th failure in a row: interval/8 doubling up to interval, equal jitter.

        Capping at the interval bounds how late a service that became healthy is noticed.
        """
        ceiling = min(self.target.interval, self.target.interval / 8 * 2 ** (failures - 1))
        return self.rng.uniform(ceiling / 2, ceiling)

    def run(self) -> Verdict:
        o = self.target
        started = self.clock()
        run = _Run(started=started, deadline=started + o.deadline)
        checks = [
            CheckResult("health", detail="off") if not o.check_health else CheckResult("health"),
            CheckResult("auth", detail="off") if not o.check_auth else CheckResult("auth"),
            CheckResult("http", detail="off") if not o.check_http_redirect else CheckResult("http"),
        ]
        plan = []
        if o.check_health:
            plan.append(
                (
                    checks[0],
                    o.url + o.health_path,
                    lambda r: judge_health(o, r),
                    o.healthy_threshold,
                    o.connect_to,
                )
            )
        if o.check_auth:
            plan.append((checks[1], o.url + o.protected_path, lambda r: judge_auth(o, r), 1, o.connect_to))
        if o.check_http_redirect:
            # The plain-HTTP listener lives on the same address as HTTPS, on http_port.
            dial = split_host_port(o.connect_to)[0] if o.connect_to else None
            http_url = f"http://{authority(self.host, o.http_port, 'http')}/"
            http_connect = authority(dial, o.http_port, "http") if dial else None
            plan.append((checks[2], http_url, lambda r: judge_http(o, r), 1, http_connect))

        cause = None
        for result, url, judge, needed, connect_to in plan:
            ok, detail = self._until(run, result.name, url, judge, needed, connect_to)
            result.passed, result.detail = ok, detail
            if not ok:
                cause = f"{result.name}: {detail}"
                break

        healthy = cause is None
        days_left = warning = None
        if run.certificate_not_after is not None:
            days_left = math.floor((run.certificate_not_after - self.now()).total_seconds() / 86400)
            warning = days_left < o.certificate_warning_days
        verdict = Verdict(
            healthy=healthy,
            url=o.url,
            connect_to=o.connect_to,
            cause=cause,
            checks=checks,
            probes=run.probes,
            elapsed=self.clock() - started,
            time_to_healthy=run.time_to_healthy if healthy else None,
            certificate_not_after=run.certificate_not_after,
            certificate_days_left=days_left,
            certificate_warning=bool(warning),
        )
        for line in verdict.summary():
            self.emit(line)
        return verdict

    def _until(
        self, run: _Run, name: str, url: str, judge, needed: int, connect_to: str | None
    ) -> tuple[bool, str]:
        """Probe `url` until `needed` good answers in a row, a failure that does not heal, or the deadline."""
        streak = failures = 0
        streak_started: float | None = None
        last = "no answer yet"
        while True:
            left = run.deadline - self.clock()
            if left <= 0:
                return False, f"deadline of {self.target.deadline:g} s reached; last: {last}"
            probe_started = self.clock()
            try:
                response = fetch(
                    url,
                    connect_to=connect_to,
                    resolver=self.resolver,
                    ssl_context=self.ssl_context,
                    timeout=min(self.target.timeout, left),
                    clock=self.clock,
                )
                judgement = judge(response)
                status, error, latency = response.status, None, response.latency
                if response.certificate_not_after and run.certificate_not_after is None:
                    run.certificate_not_after = response.certificate_not_after
            except ProbeError as err:
                judgement = Judgement("retry" if err.heals else "fail", str(err))
                status, error, latency = None, str(err), None
            last = judgement.detail

            wait = 0.0
            if judgement.outcome == "ok":
                streak += 1
                failures = 0
                if streak_started is None:
                    streak_started = probe_started
                if streak < needed:
                    wait = self.target.interval
            elif judgement.outcome == "retry":
                streak, streak_started = 0, None
                failures += 1
                wait = self.backoff(failures)
            wait = min(wait, max(0.0, run.deadline - self.clock()))

            probe = Probe(name, url, self.now(), status, error, latency, judgement.outcome, judgement.detail)
            run.probes.append(probe)
            self.emit(self._line(probe, connect_to, streak, needed, wait))

            if judgement.outcome == "fail":
                return False, judgement.detail
            if judgement.outcome == "ok" and streak >= needed:
                if streak_started is not None and (
                    name == "health" or (run.time_to_healthy is None and not self.target.check_health)
                ):
                    run.time_to_healthy = streak_started - run.started
                return True, judgement.detail if needed == 1 else f"{needed} in a row"
            if wait > 0:
                self.sleep(wait)

    @staticmethod
    def _line(probe: Probe, connect_to: str | None, streak: int, needed: int, wait: float) -> str:
        via = f" via {connect_to}" if connect_to else ""
        answer = str(probe.status) if probe.status is not None else f"error: {probe.error}"
        latency = f" {probe.latency * 1000:.0f} ms" if probe.latency is not None else ""
        line = (
            f"{probe.at:%Y-%m-%dT%H:%M:%S.%f}"[:-3]
            + f"Z {probe.check:<6} GET {probe.url}{via} -> {answer}{latency}"
        )
        if probe.outcome == "ok" and needed > 1:
            line += f" ({streak}/{needed} in a row)"
        elif probe.outcome == "retry":
            line += f" [retry in {wait:.2f} s]"
        elif probe.outcome == "fail":
            line += f" [fails: {probe.detail}]" if probe.status is not None else " [does not heal]"
        return line
