"""How fast the health check reaches a verdict, on real loopback HTTPS with real waits.

1. A service that turns healthy at a random moment: time from that moment to the first good probe
   (target: within one probe interval plus one request) and to the verdict.
2. Faults that do not heal: time to the verdict (target: under 1 s).

Run: .venv/bin/python benchmarks/health_check_latency.py [--interval 1.0] [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sceptre_fargate_cognito.health_check.check import HealthCheck
from sceptre_fargate_cognito.health_check.options import parse
from sceptre_fargate_cognito.local_env import certificate_authority

# The health check's fault server lives with the tests it serves.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fault_alb import StandinAlb  # noqa: E402

HOST = "app.example.test"
AUTH = "bench.auth.eu-west-1.amazoncognito.com"


def options(alb: StandinAlb, ca, **more):
    return parse(
        {
            "url": f"https://{HOST}",
            "connect_to": f"127.0.0.1:{alb.https_port}",
            "http_port": alb.http_port,
            "ca_bundle": str(ca.cert_path),
            "auth_domain": AUTH,
            **more,
        }
    )


def becoming_healthy(ca, leaf, interval: float, threshold: int, repeats: int):
    detections, verdicts, requests = [], [], []
    for _ in range(repeats):
        with StandinAlb(leaf.cert_path, leaf.key_path, AUTH, health_statuses=[503]) as alb:
            healthy_at: list[float] = []
            first_ok: list[float] = []

            def heal(healthy_at=healthy_at):
                alb.set_health([200])
                healthy_at.append(time.monotonic())

            timer = threading.Timer(random.uniform(2 * interval, 4 * interval), heal)

            def emit(line: str, first_ok=first_ok):
                if " health " in line and "-> 200" in line and not first_ok:
                    first_ok.append(time.monotonic())

            check = HealthCheck(
                options(alb, ca, interval=interval, timeout=1, healthy_threshold=threshold), emit=emit
            )
            timer.start()
            try:
                verdict = check.run()
                done = time.monotonic()
            finally:
                timer.cancel()
            assert verdict.healthy, verdict.summary()
            detections.append(first_ok[0] - healthy_at[0])
            verdicts.append(done - healthy_at[0])
            requests.extend(verdict.latencies)
    return detections, verdicts, requests


def fault_verdicts(ca, tmp: Path, repeats: int):
    now = dt.datetime.now(dt.timezone.utc)
    other_ca = certificate_authority.make_ca(tmp / "other", "Untrusted CA")
    faults = {
        "certificate for another host": (
            certificate_authority.issue(ca, ["other.example.test"], directory=tmp),
            {},
        ),
        "expired certificate": (
            certificate_authority.issue(
                ca,
                [HOST],
                not_before=now - dt.timedelta(days=30),
                not_after=now - dt.timedelta(days=1),
                directory=tmp,
            ),
            {},
        ),
        "untrusted CA": (certificate_authority.issue(other_ca, [HOST]), {}),
        "401 on the health path": (None, {"health_statuses": [401]}),
        "auth not enforced (healthy_threshold 1)": (None, {"auth_enforced": False}),
        "redirect to another host (threshold 1)": (None, {"auth_domain": "evil.example.test"}),
        "http not redirected (threshold 1)": (None, {"http_redirect": False}),
    }
    leaf = certificate_authority.issue(ca, [HOST], directory=tmp)
    results = {}
    for name, (cert, settings) in faults.items():
        cert = cert or leaf
        settings = {"auth_domain": AUTH, **settings}
        times = []
        for _ in range(repeats):
            with StandinAlb(cert.cert_path, cert.key_path, **settings) as alb:
                check = HealthCheck(options(alb, ca, healthy_threshold=1), emit=lambda line: None)
                started = time.monotonic()
                verdict = check.run()
                times.append(time.monotonic() - started)
                assert not verdict.healthy
        results[name] = times
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ca = certificate_authority.make_ca(tmp, "Benchmark CA")
        leaf = certificate_authority.issue(ca, [HOST])
        print(f"interval {args.interval:g} s, {args.repeats} runs each, loopback HTTPS (stand-in ALB)")
        ok = True
        for threshold in (1, 3):
            detections, verdicts, requests = becoming_healthy(
                ca, leaf, args.interval, threshold, args.repeats
            )
            one_request = max(requests)
            target = args.interval + one_request
            print(f"\nbecoming healthy, healthy_threshold {threshold} (request max {ms(one_request)}):")
            print(
                f"  healthy -> first good probe: median {ms(statistics.median(detections))}, max {ms(max(detections))}"
                f"  (target <= interval + one request = {ms(target)}: {'met' if max(detections) <= target else 'MISSED'})"
            )
            expected = (threshold - 1) * args.interval
            print(
                f"  healthy -> verdict:          median {ms(statistics.median(verdicts))}, max {ms(max(verdicts))}"
                + (
                    f"  (target {ms(target)}: {'met' if max(verdicts) <= target else 'MISSED'})"
                    if threshold == 1
                    else f"  (includes {threshold - 1} paced probes = {ms(expected)} by design)"
                )
            )
            ok &= max(detections) <= target and (threshold > 1 or max(verdicts) <= target)
        print("\nfaults that do not heal -> verdict (target < 1000 ms):")
        for name, times in fault_verdicts(ca, tmp, args.repeats).items():
            met = max(times) < 1.0
            ok &= met
            print(
                f"  {name:<42} median {ms(statistics.median(times)):>6}, max {ms(max(times)):>6}  {'met' if met else 'MISSED'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
