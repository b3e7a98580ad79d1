"""What the local data plane's jwt-validation costs a request, on real loopback HTTPS.

A fresh emulator, a user pool with a machine client, and a load balancer whose HTTPS listener has
a rule `/api/*` (jwt-validation, then forward) and a rule `/open/*` (forward only) to a real echo
target, all made through the emulator's API; the data plane runs in this process. It prints the
time of: the client-credentials grant at the hosted UI's /oauth2/token; the first request through
jwt-validation (it reads the JWKS); later ones (cached keys); and the same request through the
forward-only rule, so the difference is the check itself.

Run: .venv/bin/python benchmarks/jwt_validation_latency.py [--requests 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

from sceptre_fargate_cognito.local_env import certificate_authority, emulator_process
from sceptre_fargate_cognito.local_env.data_plane.server import DataPlane, hosted_ui_names

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the helpers the tests use
from echo_target import EchoTarget  # noqa: E402
from front_door_support import (  # noqa: E402
    access_token_check,
    client_credentials_token,
    forward_to,
    machine_client,
    pool_with_api,
    two_subnets,
)
from loopback_client import LoopbackClient  # noqa: E402

REGION = "eu-west-1"
APP = "app.sceptre.localhost"


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def figures(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{name:<48} n={len(samples):<4} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jwt-bench-"))
    emulator = emulator_process.start(log_path=folder / "emulator.log")
    try:
        os.environ.update(emulator.aws_env(REGION))
        ca = certificate_authority.make_ca(folder, "bench CA")
        leaf = certificate_authority.issue(ca, [APP, *hosted_ui_names(REGION)], directory=folder)
        ec2, elbv2, acm, idp = (
            boto3.client(s, region_name=REGION) for s in ("ec2", "elbv2", "acm", "cognito-idp")
        )
        pool = pool_with_api(idp, "bench", "bench-auth")
        client = machine_client(idp, pool, "partner")
        vpc, subnets = two_subnets(ec2, REGION)
        balancer = elbv2.create_load_balancer(Name="bench", Subnets=subnets)["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
        issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool}"
        with EchoTarget("bench") as echo:
            forward = forward_to(elbv2, vpc, "bench", echo.port)
            listener = elbv2.create_listener(
                LoadBalancerArn=balancer,
                Protocol="HTTPS",
                Port=443,
                Certificates=[{"CertificateArn": acm.request_certificate(DomainName=APP)["CertificateArn"]}],
                DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
            )["Listeners"][0]["ListenerArn"]
            check = access_token_check(issuer, [client["ClientId"]])
            for priority, path, actions in ((10, "/api/*", [check, forward]), (20, "/open/*", [forward])):
                elbv2.create_rule(
                    ListenerArn=listener,
                    Priority=priority,
                    Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}}],
                    Actions=actions,
                )
            with DataPlane(elbv2, idp, cert=leaf.fullchain_path, key=leaf.key_path, region=REGION) as plane:
                browser = LoopbackClient(str(ca.cert_path))
                app = f"https://{APP}:{plane.https_port}"
                token_url = f"https://bench-auth.auth.{REGION}.localhost:{plane.https_port}/oauth2/token"

                def grant():
                    return client_credentials_token(
                        str(ca.cert_path), token_url, client["ClientId"], client["ClientSecret"]
                    )

                def get(path: str, token: str):
                    answer = browser.get(app + path, headers={"Authorization": f"Bearer {token}"})
                    assert answer.status == 200, answer.text
                    return answer

                grants = [timed(grant) for _ in range(max(5, args.requests // 5))]
                token = grants[-1][1]
                first, _ = timed(lambda: get("/api/x", token))
                checked = [timed(lambda: get("/api/x", token))[0] for _ in range(args.requests)]
                plain = [timed(lambda: get("/open/x", token))[0] for _ in range(args.requests)]
        figures("client_credentials grant (/oauth2/token)", [t for t, _ in grants])
        print(f"{'first request through jwt-validation (reads JWKS)':<48} {first:7.1f} ms")
        figures("request through jwt-validation, keys cached", checked)
        figures("same request through a forward-only rule", plain)
        print(
            f"the check's own cost: {statistics.median(checked) - statistics.median(plain):.1f} ms a request (medians)"
        )
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
