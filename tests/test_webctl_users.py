"""`webctl users <env> ...` through the real console script, on the `local` environment launched
for real (conftest's `launched_local`): invite, resend, list, disable, enable, remove, and what it
says when it cannot. The temporary password reaches the emulator's outbox and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError
from cognito_support import messages_to, temporary_password
from local_project import edited
from resolver_support import set_auth

from sceptre_fargate_cognito.local_env import launch

WEBCTL = Path(sys.executable).parent / "webctl"


@pytest.fixture(scope="module")
def local(launched_local):
    return launched_local


@pytest.fixture(scope="module")
def sign_in_url(local) -> str:
    """Where the launched environment serves the application (its data plane's host and port)."""
    return local.env["LOCAL_APP_URL"].rstrip("/") + "/"


@pytest.fixture(scope="module")
def outbox(local) -> Path:
    return launch.outbox(local.workdir)


@pytest.fixture(scope="module")
def idp(local):
    return local.client("cognito-idp")


@pytest.fixture(scope="module")
def pool(local) -> str:
    stack = local.client("cloudformation").describe_stacks(StackName="webapp-local-cognito")["Stacks"][0]
    return next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "UserPoolId")


def webctl(
    local, *args: str, input: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """`webctl users local <args>` in the launched project, stdin closed unless `input` answers."""
    return subprocess.run(
        [str(WEBCTL), "users", "local", *args],
        cwd=local.project,
        env=local.env if env is None else env,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        timeout=120,
    )


def passwords_in(outbox: Path, address: str) -> list[str]:
    return [temporary_password(mail) for mail in messages_to(outbox, address)]


def assert_no_password_in(result: subprocess.CompletedProcess, outbox: Path, address: str) -> None:
    for password in passwords_in(outbox, address):
        assert password not in result.stdout + result.stderr


def listed(local) -> dict[str, list[str]]:
    """`webctl users local list`: the columns after EMAIL, by email."""
    result = webctl(local, "list")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:-1]]
    return {row[0]: row[1:] for row in rows}


def sign_in(local, idp, pool: str, address: str, password: str) -> dict:
    app = idp.list_user_pool_clients(UserPoolId=pool, MaxResults=10)["UserPoolClients"][0]["ClientId"]
    return idp.initiate_auth(
        ClientId=app,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": password},
    )


def invited(local, address: str) -> None:
    result = webctl(local, "invite", address)
    assert result.returncode == 0, result.stderr


# --- invite ----------------------------------------------------------------------------------------


def test_invite_creates_the_user_emails_a_temporary_password_and_prints_the_sign_in_url(
    local, outbox, idp, pool, sign_in_url
):
    result = webctl(local, "invite", "ada@example.com")

    assert result.returncode == 0, result.stderr
    assert "Invited ada@example.com to local." in result.stdout
    assert f"Pass on the sign-in URL: {sign_in_url}" in result.stdout
    assert "from no-reply@verificationemail.com" in result.stdout
    assert "valid 3 days" in result.stdout
    (password,) = passwords_in(outbox, "ada@example.com")
    assert_no_password_in(result, outbox, "ada@example.com")
    assert password not in (local.workdir / "emulator.log").read_text()
    assert listed(local)["ada@example.com"][:2] == ["FORCE_CHANGE_PASSWORD", "enabled"]
    assert sign_in(local, idp, pool, "ada@example.com", password)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_inviting_someone_who_has_an_account_says_to_resend(local, outbox):
    invited(local, "bea@example.com")

    for address in ("bea@example.com", "Bea@Example.COM"):
        result = webctl(local, "invite", address)
        assert result.returncode == 2
        assert f"{address} already has an account in local" in result.stderr
        assert f"`webctl users local resend {address}`" in result.stderr
    assert len(messages_to(outbox, "bea@example.com")) == 1
    assert "Bea@Example.COM" not in listed(local)


def test_an_address_that_is_not_one_is_refused_before_any_call(local):
    result = webctl(local, "invite", "not-an-address")

    assert result.returncode == 2
    assert "'not-an-address': expected an email address" in result.stderr


# --- resend ----------------------------------------------------------------------------------------


def test_resend_sends_the_same_user_a_new_temporary_password(local, outbox, idp, pool, sign_in_url):
    invited(local, "cy@example.com")

    result = webctl(local, "resend", "CY@example.com")

    assert result.returncode == 0, result.stderr
    assert "Sent CY@example.com a new invitation in local" in result.stdout
    assert f"Pass on the sign-in URL: {sign_in_url}" in result.stdout
    first, second = passwords_in(outbox, "cy@example.com")
    assert first != second
    assert_no_password_in(result, outbox, "cy@example.com")
    assert [email for email in listed(local) if email.lower() == "cy@example.com"] == ["cy@example.com"]
    assert sign_in(local, idp, pool, "cy@example.com", second)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_resend_to_a_user_who_chose_a_password_says_there_is_nothing_to_resend(local, outbox, idp, pool):
    invited(local, "dee@example.com")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="dee@example.com", Password="Chosen-passw0rd-1", Permanent=True
    )

    result = webctl(local, "resend", "dee@example.com")

    assert result.returncode == 2
    assert "dee@example.com has already chosen a password in local" in result.stderr
    assert "Forgot your password?" in result.stderr
    assert len(messages_to(outbox, "dee@example.com")) == 1


@pytest.mark.parametrize("action", ["resend", "disable", "enable", "remove"])
def test_a_user_who_does_not_exist_is_named_with_how_to_invite_them(local, action):
    result = webctl(local, action, "nobody@example.com")

    assert result.returncode == 2
    assert "no user nobody@example.com in local" in result.stderr
    assert "`webctl users local invite nobody@example.com`" in result.stderr
    assert "Traceback" not in result.stderr


# --- disable and enable ------------------------------------------------------------------------


def test_disable_stops_sign_in_signs_the_user_out_and_names_the_alb_session_timeout(local, idp, pool):
    invited(local, "eve@example.com")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="eve@example.com", Password="Eves-passw0rd-1", Permanent=True
    )
    tokens = sign_in(local, idp, pool, "eve@example.com", "Eves-passw0rd-1")["AuthenticationResult"]

    result = webctl(local, "disable", "EVE@example.com")

    assert result.returncode == 0, result.stderr
    assert "Disabled EVE@example.com in local: they can no longer sign in." in result.stdout
    assert "Signed them out of Cognito everywhere" in result.stdout
    # The listener's SessionTimeout, read from the load balancer: the template's 28800 s.
    assert "stays valid until it times out: up to 8 hours (the ALB's SessionTimeout)" in result.stdout
    assert listed(local)["eve@example.com"][:2] == ["CONFIRMED", "disabled"]
    with pytest.raises(ClientError) as refused:
        sign_in(local, idp, pool, "eve@example.com", "Eves-passw0rd-1")
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"

    result = webctl(local, "enable", "eve@example.com")

    assert result.returncode == 0, result.stderr
    assert "Enabled eve@example.com in local: they can sign in again." in result.stdout
    assert listed(local)["eve@example.com"][:2] == ["CONFIRMED", "enabled"]
    assert "AuthenticationResult" in sign_in(local, idp, pool, "eve@example.com", "Eves-passw0rd-1")
    # The sign-out revoked what was issued before it, so enabling the user does not bring it back.
    with pytest.raises(ClientError):
        idp.get_user(AccessToken=tokens["AccessToken"])


def test_disabling_a_disabled_user_and_enabling_an_enabled_one_say_so(local):
    invited(local, "fay@example.com")

    assert (
        "fay@example.com is already enabled in local; nothing changed."
        in webctl(local, "enable", "fay@example.com").stdout
    )
    assert webctl(local, "disable", "fay@example.com").returncode == 0
    again = webctl(local, "disable", "fay@example.com")
    assert again.returncode == 0
    assert "fay@example.com was already disabled in local." in again.stdout


# --- remove ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [None, "n\n"], ids=["stdin closed", "answer n"])
def test_remove_asks_first_and_without_a_yes_nothing_changes(local, answer):
    address = f"gil-{'closed' if answer is None else 'n'}@example.com"
    invited(local, address)

    result = webctl(local, "remove", address, input=answer)

    assert result.returncode == 2
    assert f"Remove {address} from local?" in result.stdout
    assert f"nothing removed: {address} stays" in result.stderr
    assert address in listed(local)


@pytest.mark.parametrize("how", ["answer y", "--yes"])
def test_remove_deletes_the_user_once_confirmed(local, how):
    address = f"hal-{how.strip('-').replace(' ', '-')}@example.com"
    invited(local, address)

    if how == "--yes":
        result = webctl(local, "remove", address, "--yes")
        assert "[y/N]" not in result.stdout
    else:
        result = webctl(local, "remove", address, input="y\n")

    assert result.returncode == 0, result.stderr
    assert f"Removed {address} from local" in result.stdout
    assert address not in listed(local)


# --- what it cannot do -------------------------------------------------------------------------


@pytest.fixture
def operator_who_may_only_read(local):
    """Credentials for an IAM user allowed to read stacks and users, not to change users."""
    iam = local.client("iam")
    iam.create_user(UserName="reader")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["cloudformation:Describe*", "cognito-idp:List*", "cognito-idp:Describe*"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    env = {name: value for name, value in local.env.items() if name != "AWS_SESSION_TOKEN"}
    env |= {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    emulator = SimpleNamespace(endpoint=local.state.endpoint)
    set_auth(emulator, "0")
    try:
        yield env
    finally:
        set_auth(emulator, "inf")
        iam.delete_access_key(UserName="reader", AccessKeyId=key["AccessKeyId"])
        iam.delete_user_policy(UserName="reader", PolicyName="read")
        iam.delete_user(UserName="reader")


def test_a_call_the_credentials_may_not_make_is_named_as_not_allowed(
    local, outbox, operator_who_may_only_read
):
    listing = webctl(local, "list", env=operator_who_may_only_read)
    assert listing.returncode == 0, listing.stderr

    result = webctl(local, "invite", "ivy@example.com", env=operator_who_may_only_read)

    assert result.returncode == 2
    assert "not allowed: cognito-idp:AdminCreateUser in environment 'local' was refused" in result.stderr
    assert "use credentials whose role allows it" in result.stderr
    assert messages_to(outbox, "ivy@example.com") == []


# --- invitations through SES ---------------------------------------------------------------------


@pytest.fixture
def sending_through_ses(local):
    """`local` relaunched to send invitations through a verified SES domain; put back afterwards."""
    local.client("ses").verify_domain_identity(Domain="example.com")
    config = local.project / "config" / "local" / "config.yaml"
    with edited(
        config,
        r"^image_tag:.*$",
        'image_tag: local\ninvitation_email_from: "Webapp <no-reply@example.com>"\ninvitation_email_identity: example.com',
    ):
        launched = local.sceptre("launch", "local", "--yes")
        assert launched.returncode == 0, launched.stdout + launched.stderr
        yield
    restored = local.sceptre("launch", "local", "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr


def test_through_ses_the_invitation_comes_from_the_operators_sender_and_names_the_application(
    local, outbox, idp, pool, sending_through_ses, sign_in_url
):
    result = webctl(local, "invite", "jo@example.com")

    assert result.returncode == 0, result.stderr
    assert "through SES, from Webapp <no-reply@example.com>" in result.stdout
    assert f"it names the sign-in URL {sign_in_url}" in result.stdout
    (mail,) = messages_to(outbox, "jo@example.com")
    assert mail["From"] == "Webapp <no-reply@example.com>"
    assert mail["Subject"] == f"Your invitation to {urlsplit(sign_in_url).hostname}"
    body = mail.get_content()
    assert f'<a href="{sign_in_url}">' in body
    assert "your email address, jo@example.com, and this temporary password: " in body
    password = body.split("temporary password: ", 1)[1].split("<", 1)[0].strip()
    assert password not in result.stdout + result.stderr
    assert sign_in(local, idp, pool, "jo@example.com", password)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
