"""!acm_certificate_arn against the emulator's ACM, through real Sceptre stacks."""

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from resolver_support import (
    ACCOUNT,
    REGION,
    clients_for_account,
    import_certificate,
    import_many_certificates,
    make_stack,
    set_auth,
    set_certificate_status,
)
from sceptre.exceptions import InvalidResolverArgumentError, SceptreException

from sceptre_fargate_cognito.plugin_base.errors import ResolverError
from sceptre_fargate_cognito.resolvers.acm_certificate_arn import AcmCertificateArn

pytestmark = pytest.mark.usefixtures("fresh_resolvers")
DAY = datetime.timedelta(days=1)


def resolve(argument, **stack_settings):
    stack = make_stack(parameters={"CertificateArn": AcmCertificateArn(argument)}, **stack_settings)
    return stack.parameters["CertificateArn"]


def failure(argument, **stack_settings) -> str:
    with pytest.raises(ResolverError) as failed:
        resolve(argument, **stack_settings)
    return str(failed.value)


# Matching and precedence


def test_the_certificate_named_for_the_domain_wins_over_a_san_and_a_wildcard():
    # The wildcard and the SAN certificate expire later, yet lose.
    import_certificate(["*.example.com"], valid_for=300 * DAY)
    import_certificate(["www.example.com", "app.example.com"], valid_for=200 * DAY)
    exact = import_certificate(["app.example.com"], valid_for=100 * DAY)
    assert resolve("app.example.com") == exact


def test_a_san_wins_over_a_wildcard():
    import_certificate(["*.example.com"], valid_for=300 * DAY)
    san = import_certificate(["www.example.com", "app.example.com"], valid_for=100 * DAY)
    assert resolve("app.example.com") == san


def test_a_wildcard_covers_a_name_one_level_below_it():
    wildcard = import_certificate(["*.example.com"])
    assert resolve("app.example.com") == wildcard


def test_a_wildcard_among_the_sans_covers_too():
    certificate = import_certificate(["example.com", "*.example.com"])
    assert resolve("app.example.com") == certificate
    assert resolve("example.com") == certificate


def test_a_wildcard_does_not_cover_two_levels_below_it():
    import_certificate(["*.example.com"])
    message = failure("a.b.example.com")
    assert "no ISSUED certificate covers a.b.example.com" in message
    assert "*.b.example.com" in message


def test_a_wildcard_does_not_cover_the_apex():
    import_certificate(["*.example.com"])
    assert "no ISSUED certificate covers example.com" in failure("example.com")


def test_a_certificate_for_another_domain_does_not_match():
    import_certificate(["app.example.org"])
    assert "covers app.example.com" in failure("app.example.com")


def test_names_match_whatever_their_case_and_a_trailing_dot():
    certificate = import_certificate(["App.Example.com"])
    assert resolve("APP.example.COM.") == certificate


@pytest.mark.parametrize("key", ["rsa", "rsa4096", "ec", "ec384"])
def test_certificates_of_every_key_type_are_found(key):
    certificate = import_certificate(["app.example.com"], key=key)
    assert resolve("app.example.com") == certificate


def test_an_ec_certificate_that_expires_later_beats_an_rsa_one():
    import_certificate(["app.example.com"], key="rsa", valid_for=30 * DAY)
    ec_certificate = import_certificate(["app.example.com"], key="ec", valid_for=60 * DAY)
    assert resolve("app.example.com") == ec_certificate


def test_the_certificate_that_expires_last_wins():
    import_certificate(["app.example.com"], valid_for=30 * DAY)
    latest = import_certificate(["app.example.com"], valid_for=90 * DAY)
    import_certificate(["app.example.com"], valid_for=60 * DAY)
    assert resolve("app.example.com") == latest


def test_certificates_that_expire_together_are_decided_by_the_smallest_arn():
    not_after = (datetime.datetime.now(datetime.timezone.utc) + 90 * DAY).replace(microsecond=0)
    arns = [import_certificate(["app.example.com"], not_after=not_after) for _ in range(4)]
    assert resolve("app.example.com") == min(arns)


# Statuses and near misses


@pytest.mark.parametrize("status", ["PENDING_VALIDATION", "REVOKED", "FAILED", "INACTIVE"])
def test_an_unusable_certificate_is_ignored_and_named_with_its_status(aws, status):
    arn = import_certificate(["app.example.com"])
    set_certificate_status(aws, arn, status)
    message = failure("app.example.com")
    assert "Near misses" in message
    assert f"{arn} (app.example.com, domain name match): {status}" in message


def test_an_expired_certificate_is_ignored_and_named_as_a_near_miss():
    # ACM refuses to import an expired certificate: import one about to expire, then let it.
    arn = import_certificate(["app.example.com"], valid_for=datetime.timedelta(seconds=2))
    time.sleep(2.5)
    message = failure("app.example.com")
    assert f"{arn} (app.example.com, domain name match): EXPIRED" in message


def test_an_issued_wildcard_is_used_when_the_exact_certificate_is_still_pending(aws):
    pending = import_certificate(["app.example.com"])
    set_certificate_status(aws, pending, "PENDING_VALIDATION")
    wildcard = import_certificate(["*.example.com"])
    assert resolve("app.example.com") == wildcard


def test_without_any_covering_certificate_the_error_names_domain_region_and_account():
    import_certificate(["other.example.com"])
    message = failure("app.example.com")
    assert "no ISSUED certificate covers app.example.com" in message
    assert f"region {REGION}" in message and f"account {ACCOUNT}" in message
    assert "request or import one for app.example.com or *.example.com" in message
    assert message.startswith("dev/alb-ecs - ")


def test_a_lookup_failure_is_a_sceptre_error_so_sceptre_prints_it_without_a_traceback():
    assert issubclass(ResolverError, SceptreException)


# Paging and the number of calls


def test_2500_certificates_are_read_in_three_pages_without_describing_any(aws_calls):
    import_many_certificates(2499)
    last = import_certificate(["www.example.org", "app.example.com"])
    assert resolve("app.example.com") == last
    assert aws_calls[("acm", "list_certificates")] == 3
    assert aws_calls[("acm", "describe_certificate")] == 0


def test_a_certificate_with_more_than_100_names_is_described_to_find_a_late_one(aws_calls):
    names = ["first.example.com"] + [f"n{i}.example.com" for i in range(150)]
    certificate = import_certificate(names)
    assert resolve("n149.example.com") == certificate
    assert aws_calls[("acm", "describe_certificate")] == 1


# Region, profile and role: the stack's, or the argument's


def test_the_region_is_the_stacks():
    ireland = import_certificate(["app.example.com"])
    import_certificate(["app.example.com"], client=boto3.client("acm", region_name="us-east-1"))
    assert resolve("app.example.com", region=REGION) == ireland
    assert f":{REGION}:" in ireland


def test_the_region_in_the_argument_overrides_the_stacks():
    virginia = import_certificate(["app.example.com"], client=boto3.client("acm", region_name="us-east-1"))
    assert resolve({"domain": "app.example.com", "region": "us-east-1"}, region=REGION) == virginia


def test_a_certificate_in_another_region_is_not_found_from_this_one():
    import_certificate(["app.example.com"], client=boto3.client("acm", region_name="us-east-1"))
    assert f"region {REGION}" in failure("app.example.com", region=REGION)


@pytest.fixture
def profile_of_another_account(tmp_path, monkeypatch):
    """A named profile whose credentials belong to account 210987654321 and whose region is not the
    stack's; the environment's own credentials removed, since Sceptre prefers them to a profile."""
    other = clients_for_account("210987654321")
    credentials = other["credentials"]
    (tmp_path / "credentials").write_text(
        "[other]\n"
        f"aws_access_key_id = {credentials['AccessKeyId']}\n"
        f"aws_secret_access_key = {credentials['SecretAccessKey']}\n"
        f"aws_session_token = {credentials['SessionToken']}\n"
    )
    (tmp_path / "config").write_text("[profile other]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    return other["session"]


def test_the_profile_is_the_stacks_and_the_stack_region_beats_the_profiles(profile_of_another_account):
    theirs = import_certificate(["app.example.com"], client=profile_of_another_account.client("acm"))
    assert resolve("app.example.com", profile="other", region=REGION) == theirs
    assert theirs.startswith(f"arn:aws:acm:{REGION}:210987654321:")


def test_the_profile_in_the_argument_overrides_the_stacks(profile_of_another_account, monkeypatch):
    theirs = import_certificate(["app.example.com"], client=profile_of_another_account.client("acm"))
    # The stack's own profile holds this account's credentials.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    import_certificate(["app.example.com"])
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert resolve({"domain": "app.example.com", "profile": "other"}, profile="missing-profile") == theirs


def test_an_unknown_profile_is_one_clear_error():
    message = failure("app.example.com", profile="no-such-profile")
    assert "ListCertificates failed" in message and "no-such-profile" in message


def test_the_sceptre_role_in_the_argument_is_assumed():
    role = "arn:aws:iam::210987654321:role/certificate-reader"
    theirs = import_certificate(
        ["app.example.com"], client=clients_for_account("210987654321")["session"].client("acm")
    )
    import_certificate(["app.example.com"])
    assert resolve({"domain": "app.example.com", "sceptre_role": role}) == theirs


# AWS errors


def test_an_unknown_region_is_one_clear_error_naming_the_call():
    message = failure({"domain": "app.example.com", "region": "xx-nowhere-1"})
    assert message.startswith(
        "dev/alb-ecs - !acm_certificate_arn: acm ListCertificates failed in region xx-nowhere-1"
    )


@pytest.fixture
def enforced_iam(aws, monkeypatch):
    """IAM enforced by the emulator, and credentials of a user allowed nothing but STS."""
    iam = boto3.client("iam")
    iam.create_user(UserName="no-acm")
    iam.put_user_policy(
        UserName="no-acm",
        PolicyName="sts-only",
        PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Action": "sts:GetCallerIdentity", "Resource": "*"}]}',
    )
    key = iam.create_access_key(UserName="no-acm")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    set_auth(aws, "0")
    try:
        yield
    finally:
        set_auth(aws, "inf")


def test_access_denied_is_one_clear_error_naming_the_call_and_the_permission(enforced_iam):
    message = failure("app.example.com")
    assert "acm ListCertificates failed" in message
    assert "AccessDenied" in message
    assert "the credentials need acm:ListCertificates" in message


# Arguments


@pytest.mark.parametrize(
    "argument, problem",
    [
        (123, "expected a domain name or a dict"),
        (["app.example.com"], "expected a domain name or a dict"),
        ("not a domain", "is not a domain name"),
        ("localhost", "is not a domain name"),
        ("app..example.com", "is not a domain name"),
        ({}, "missing domain"),
        ({"domain": "app.example.com", "colour": "blue"}, "unknown key(s) colour"),
        ({"domain": 42}, "domain must be a string"),
        ({"domain": "app.example.com", "region": "Ireland"}, "not an AWS region name"),
        ({"domain": "app.example.com", "sceptre_role": "deployer"}, "not an IAM role ARN"),
    ],
)
def test_a_malformed_argument_is_rejected_when_the_config_loads_showing_the_accepted_forms(
    argument, problem, aws_calls
):
    with pytest.raises(InvalidResolverArgumentError) as rejected:
        make_stack(parameters={"CertificateArn": AcmCertificateArn(argument)})
    assert problem in str(rejected.value)
    assert "!acm_certificate_arn app.example.com" in str(rejected.value)
    assert sum(aws_calls.values()) == 0


# The cache


def test_two_stacks_asking_for_the_same_domain_make_one_lookup(aws_calls):
    certificate = import_certificate(["app.example.com"])
    stacks = [
        make_stack(name=f"dev/stack-{i}", parameters={"CertificateArn": AcmCertificateArn("app.example.com")})
        for i in range(2)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        resolved = list(pool.map(lambda stack: stack.parameters["CertificateArn"], stacks))
    assert resolved == [certificate, certificate]
    assert aws_calls[("acm", "list_certificates")] == 1


def test_the_same_domain_in_another_region_is_another_lookup(aws_calls):
    import_certificate(["app.example.com"])
    import_certificate(["app.example.com"], client=boto3.client("acm", region_name="us-east-1"))
    resolve("app.example.com")
    resolve("app.example.com")
    resolve({"domain": "app.example.com", "region": "us-east-1"})
    assert aws_calls[("acm", "list_certificates")] == 2


def test_a_failed_lookup_is_remembered_too(aws_calls):
    failure("app.example.com")
    failure("app.example.com")
    assert aws_calls[("acm", "list_certificates")] == 1
