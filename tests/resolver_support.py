"""Helpers for the resolver tests: real certificates and images in the emulator, real Sceptre
stacks, and a count of the AWS calls the resolvers make (the calls still reach the emulator)."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter

import boto3
import pytest
from sceptre.connection_manager import ConnectionManager
from sceptre_stack import REGION, make_stack  # noqa: F401 (re-exported for the tests)

from sceptre_fargate_cognito import aws_lookup
from sceptre_fargate_cognito.local_env.seed import (  # noqa: F401 (re-exported for the tests)
    digest_of,
    import_certificate,
    import_many_certificates,
    make_certificate,
    manifest,
    push_image,
)

ACCOUNT = "123456789012"


def moto_api(emulator, path: str, body: dict) -> None:
    request = urllib.request.Request(
        f"{emulator.endpoint}/moto-api/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def set_auth(emulator, after_actions: str) -> None:
    """Enforce IAM policies after `after_actions` more calls ("0": now; "inf": never again)."""
    request = urllib.request.Request(
        f"{emulator.endpoint}/moto-api/reset-auth",
        data=after_actions.encode(),
        headers={"Content-Type": "text/plain"},  # not a form: moto reads the raw body
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def set_certificate_status(emulator, arn: str, status: str) -> None:
    moto_api(emulator, "static/acm/certificate-status", {"certificate_arn": arn, "status": status})


def clients_for_account(account_id: str, region: str = REGION) -> dict:
    """acm/ecr/sts clients acting as another account (through a role assumed in that account)."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/test-setup", RoleSessionName="test-setup"
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
    return {"session": session, "credentials": credentials}


@pytest.fixture
def fresh_resolvers(aws, monkeypatch):
    """The emulator reset, the resolver cache empty, and no boto3 session kept from another test
    (Sceptre keeps sessions and clients in class attributes for the whole process)."""
    aws_lookup.clear_cache()
    monkeypatch.setattr(ConnectionManager, "_boto_sessions", {})
    monkeypatch.setattr(ConnectionManager, "_boto_session_expirations", {})
    monkeypatch.setattr(ConnectionManager, "_clients", {})
    monkeypatch.setattr(ConnectionManager, "_stack_keys", {})
    yield aws
    aws_lookup.clear_cache()


@pytest.fixture
def aws_calls(monkeypatch):
    """Counts (service, command) of every call the stacks' connection managers make."""
    calls: Counter = Counter()
    original = ConnectionManager.call

    def counting_call(self, service, command, kwargs=None, *args, **more):
        calls[(service, command)] += 1
        return original(self, service, command, kwargs, *args, **more)

    monkeypatch.setattr(ConnectionManager, "call", counting_call)
    return calls
