"""AWS calls the resolvers make: per lookup among 2,500 certificates, and for one argument used by
three stacks. Starts its own emulator on loopback and stops it (by pid) after.

    .venv/bin/python benchmarks/resolver_calls.py
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
from sceptre.connection_manager import ConnectionManager
from sceptre.stack import Stack

from sceptre_fargate_cognito.local_env import emulator_process

CERTIFICATES = 2500
STACKS = 3


def make_stack(name="dev/alb-ecs", parameters=None) -> Stack:
    """A Sceptre stack in the emulator's region whose parameters the resolvers fill."""
    return Stack(
        name=name,
        project_code="benchmark",
        region="eu-west-1",
        template_handler_config={"type": "file", "path": "templates/alb-ecs.yaml.j2"},
        parameters=parameters or {},
    )


def counting(calls: Counter):
    original = ConnectionManager.call

    def call(self, service, command, kwargs=None, *args, **more):
        calls[(service, command)] += 1
        return original(self, service, command, kwargs, *args, **more)

    return original, call


def main() -> int:
    emulator = emulator_process.start()
    try:
        os.environ.update(emulator.aws_env())
        os.environ.pop("AWS_PROFILE", None)

        from sceptre_fargate_cognito.aws_lookup import clear_cache
        from sceptre_fargate_cognito.local_env.seed import (
            import_certificate,
            import_many_certificates,
            push_image,
        )
        from sceptre_fargate_cognito.resolvers.acm_certificate_arn import AcmCertificateArn
        from sceptre_fargate_cognito.resolvers.ecr_image import EcrImage

        calls: Counter = Counter()
        original, wrapped = counting(calls)
        ConnectionManager.call = wrapped

        import_many_certificates(CERTIFICATES - 1)
        import_certificate(["app.example.com"])  # listed last: on the last page
        started = time.perf_counter()
        make_stack(parameters={"C": AcmCertificateArn("app.example.com")}).parameters["C"]
        elapsed = time.perf_counter() - started
        print(f"!acm_certificate_arn, {CERTIFICATES} certificates in the region:")
        print(
            f"  ListCertificates calls:    {calls[('acm', 'list_certificates')]}"
            f"   (target ceil({CERTIFICATES}/1000) = {math.ceil(CERTIFICATES / 1000)})"
        )
        print(f"  DescribeCertificate calls: {calls[('acm', 'describe_certificate')]}   (target 0)")
        print(
            f"  other calls:               {sum(calls.values()) - calls[('acm', 'list_certificates')] - calls[('acm', 'describe_certificate')]}"
        )
        print(f"  time to resolve:           {elapsed:.2f} s (emulator on loopback)")

        boto3.client("ecr").create_repository(repositoryName="chat-app")
        push_image("chat-app", "1.4.2", "v1.4.2")
        for label, make in (
            ("!acm_certificate_arn app.example.com", lambda: AcmCertificateArn("app.example.com")),
            ("!ecr_image chat-app:1.4.2", lambda: EcrImage("chat-app:1.4.2")),
        ):
            for stacks in (1, STACKS):
                clear_cache()
                calls.clear()
                group = [make_stack(name=f"dev/stack-{i}", parameters={"P": make()}) for i in range(stacks)]
                with ThreadPoolExecutor(max_workers=stacks) as pool:
                    list(pool.map(lambda stack: stack.parameters["P"], group))
                print(
                    f"{label}, used by {stacks} stack(s) resolved in parallel: {sum(calls.values())} AWS call(s)"
                    f" {dict((f'{s}:{c}', n) for (s, c), n in calls.items())}"
                )
        ConnectionManager.call = original
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
