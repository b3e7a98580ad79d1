"""`webctl users <env> ...`: the people of the environment's user pool (found from the cognito
stack's outputs): invite, resend, list, disable, enable, remove.

Addresses are passed to Cognito as typed: the pool matches them as it is configured
(templates/cognito.yaml.j2: email sign-in, `CaseSensitive: false`), so `Alice@Example.com` is the
user `alice@example.com`. No temporary password is ever printed: Cognito generates it and emails
it (on `local`, the emulator writes that email to its outbox).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.webctl import table
from sceptre_fargate_cognito.webctl.environment import Environment
from sceptre_fargate_cognito.webctl.errors import OK, WebctlError

STACK = "cognito"
APPLICATION_STACK = "alb-ecs"
# The HTTPS listener of templates/alb-ecs.yaml.j2, whose authenticate-cognito action holds the
# ALB's session timeout.
LISTENER = "HttpsListener"
SESSION_SETTING = "AuthSessionTimeoutSeconds in templates/alb-ecs.yaml.j2"
DEFAULT_SENDER = "no-reply@verificationemail.com"
DOCS = "docs/operating.md"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("users", help="list, invite and manage the people who may sign in")
    parser.add_argument("environment", help="the environment (a folder of config/, e.g. prod)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="every user: email, status, enabled, created")
    for name, text in (
        ("invite", "create the user; Cognito emails them a temporary password; prints the sign-in URL"),
        ("resend", "email an invited user a new temporary password (before they first sign in)"),
        ("disable", "stop the user signing in, and sign them out of Cognito everywhere"),
        ("enable", "let a disabled user sign in again"),
        ("remove", "delete the user and their password (asks first)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("email", type=_address, help="the user's email address (any case)")
        if name == "remove":
            action.add_argument("--yes", "-y", action="store_true", help="do not ask first")
    parser.set_defaults(run=run)


def _address(value: str) -> str:
    try:
        return rules.EMAIL.check(value.strip())
    except rules.RuleError as err:
        raise argparse.ArgumentTypeError(f"{value!r}: {err}") from None


def run(args: argparse.Namespace, environment: Environment) -> int:
    actions: dict[str, Callable[[Users, argparse.Namespace], int]] = {
        "list": Users.list,
        "invite": Users.invite,
        "resend": Users.resend,
        "disable": Users.disable,
        "enable": Users.enable,
        "remove": Users.remove,
    }
    return actions[args.action](Users(environment), args)


def _attribute(user: dict, name: str) -> str:
    return next(
        (a["Value"] for a in user.get("Attributes", user.get("UserAttributes", [])) if a["Name"] == name), ""
    )


def list_users(environment: Environment) -> list[dict]:
    pool = environment.output(STACK, "UserPoolId")
    users: list[dict] = []
    for page in environment.paginate(
        STACK, "cognito-idp", "list_users", "PaginationToken", {"UserPoolId": pool}
    ):
        users.extend(page.get("Users", []))
    return users


class Users:
    """The user pool of one environment, through its cognito stack's connection manager."""

    def __init__(self, environment: Environment):
        self.environment = environment
        self.name = environment.name

    # --- the subcommands ------------------------------------------------------------------------

    def list(self, args: argparse.Namespace) -> int:
        users = self._translated(lambda: list_users(self.environment), "")
        rows = [
            (
                _attribute(u, "email") or u["Username"],
                u["UserStatus"],
                "enabled" if u["Enabled"] else "disabled",
                u["UserCreateDate"].strftime("%Y-%m-%d %H:%M"),
            )
            for u in sorted(users, key=lambda u: _attribute(u, "email").lower())
        ]
        print(table.render(("EMAIL", "STATUS", "ENABLED", "CREATED"), rows))
        print(f"{len(rows)} user{'s' if len(rows) != 1 else ''} in {self.name}")
        return OK

    def invite(self, args: argparse.Namespace) -> int:
        email = args.email
        self._cognito(
            "admin_create_user",
            email,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                # The operator vouches for the address: Cognito can then send it a reset code.
                {"Name": "email_verified", "Value": "true"},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )
        print(f"Invited {email} to {self.name}.")
        self._say_how_it_was_sent(email)
        return OK

    def resend(self, args: argparse.Namespace) -> int:
        email = args.email
        self._cognito(
            "admin_create_user",
            email,
            Username=email,
            MessageAction="RESEND",
            DesiredDeliveryMediums=["EMAIL"],
        )
        print(
            f"Sent {email} a new invitation in {self.name}; the temporary password sent before no longer works."
        )
        self._say_how_it_was_sent(email)
        return OK

    def disable(self, args: argparse.Namespace) -> int:
        email = args.email
        user = self._user(email)
        if user["Enabled"]:
            self._cognito("admin_disable_user", email, Username=email)
            done = f"Disabled {email} in {self.name}: they can no longer sign in."
        else:
            done = f"{email} was already disabled in {self.name}."
        # Disabling alone leaves issued tokens valid until they expire.
        self._cognito("admin_user_global_sign_out", email, Username=email)
        print(done)
        print("Signed them out of Cognito everywhere: their refresh tokens are revoked.")
        print(self._alb_session_note())
        return OK

    def enable(self, args: argparse.Namespace) -> int:
        email = args.email
        user = self._user(email)
        if user["Enabled"]:
            print(f"{email} is already enabled in {self.name}; nothing changed.")
            return OK
        self._cognito("admin_enable_user", email, Username=email)
        print(f"Enabled {email} in {self.name}: they can sign in again.")
        if user["UserStatus"] == "FORCE_CHANGE_PASSWORD":
            print(
                f"They have not chosen a password yet; if their invitation has expired, "
                f"`webctl users {self.name} resend {email}` sends a new one."
            )
        return OK

    def remove(self, args: argparse.Namespace) -> int:
        email = args.email
        self._user(email)  # an unknown user is an error before the question
        if not args.yes and not _confirmed(
            f"Remove {email} from {self.name}? Their account and password are deleted; inviting them "
            "again makes a new account. [y/N] "
        ):
            raise WebctlError(f"nothing removed: {email} stays (answer y, or pass --yes)")
        self._cognito("admin_delete_user", email, Username=email)
        print(f"Removed {email} from {self.name}: they can no longer sign in.")
        print(self._alb_session_note())
        return OK

    # --- AWS calls and what their errors mean -----------------------------------------------------

    @property
    def pool(self) -> str:
        return self.environment.output(STACK, "UserPoolId")

    def _user(self, email: str) -> dict:
        return self._cognito("admin_get_user", email, Username=email)

    def _cognito(self, command: str, email: str, **kwargs) -> dict:
        pool = self.pool
        return self._translated(
            lambda: self.environment.call(STACK, "cognito-idp", command, {"UserPoolId": pool, **kwargs}),
            email,
        )

    def _translated(self, call: Callable, email: str):
        """The call's result; a Cognito error becomes a WebctlError saying what to do."""
        from botocore.exceptions import ClientError

        try:
            return call()
        except ClientError as err:
            error = err.response.get("Error", {})
            code, message = error.get("Code", ""), error.get("Message", "")
            raise WebctlError(self._explain(code, message, email, err.operation_name)) from err

    def _explain(self, code: str, message: str, email: str, operation: str) -> str:
        env = self.name
        if code == "UserNotFoundException":
            return (
                f"no user {email} in {env}: `webctl users {env} list` shows who there is; "
                f"`webctl users {env} invite {email}` invites them"
            )
        if code == "UsernameExistsException":
            return (
                f"{email} already has an account in {env}: to send them a new temporary password, "
                f"`webctl users {env} resend {email}`"
            )
        if code == "UnsupportedUserStateException":
            return (
                f"{email} has already chosen a password in {env}, so there is no invitation to resend; "
                "if they forgot it, 'Forgot your password?' on the sign-in page emails them a code"
            )
        if code in {"AccessDeniedException", "AccessDenied"}:
            return (
                f"not allowed: cognito-idp:{operation} in environment {env!r} was refused ({message}); "
                "use credentials whose role allows it"
            )
        if code == "LimitExceededException" and "email" in message.lower():
            return (
                f"Cognito refused to send more email today ({message}): its default sender allows only "
                f"a few a day per pool; send invitations through SES instead (invitation_email_from, {DOCS})"
            )
        return f"cognito-idp {operation} for {email or env} failed: {code}: {message}"

    # --- what the operator is told ------------------------------------------------------------

    def _say_how_it_was_sent(self, email: str) -> None:
        pool = self._translated(
            lambda: self.environment.call(
                STACK, "cognito-idp", "describe_user_pool", {"UserPoolId": self.pool}
            ),
            "",
        )["UserPool"]
        days = pool.get("Policies", {}).get("PasswordPolicy", {}).get("TemporaryPasswordValidityDays", 7)
        sending = pool.get("EmailConfiguration", {})
        url = self._sign_in_url()
        if sending.get("EmailSendingAccount") == "DEVELOPER":
            sender = sending.get("From") or sending.get("SourceArn", "").rsplit("/", 1)[-1]
            print(
                f"Cognito emailed them an invitation through SES, from {sender}, with a temporary password "
                f"valid {days} days; it names the sign-in URL {url}"
            )
        else:
            print(
                f"Cognito emailed them a temporary password, valid {days} days, from {DEFAULT_SENDER}: its "
                "default sender, whose text cannot name the application and which sends only a few emails "
                f"a day per pool (to send through SES instead: {DOCS})."
            )
            print(f"Pass on the sign-in URL: {url}")
        print(f"They sign in there with {email} and the temporary password, then choose their own.")
        if os.environ.get("AWS_ENDPOINT_URL"):
            # The local emulator delivers email to its outbox (bin/launch-local names it).
            print(
                "On the local emulator the email is a file in its outbox (.local/outbox/ for bin/launch-local)."
            )

    def _sign_in_url(self) -> str:
        """The application's URL: the alb-ecs stack's ServiceUrl, or https://<domain_name>."""
        try:
            return self.environment.outputs(APPLICATION_STACK)["ServiceUrl"].rstrip("/") + "/"
        except (WebctlError, KeyError):
            domain = self.environment.stack(STACK).parameters.get("DomainName", "")
            return f"https://{domain}/"

    def _alb_session_note(self) -> str:
        timeout = self._session_timeout()
        length = (
            f"up to {_duration(timeout)} (the ALB's SessionTimeout)"
            if timeout
            else "up to the ALB's SessionTimeout"
        )
        return (
            f"A browser session the load balancer has already opened stays valid until it times out: "
            f"{length}, set by {SESSION_SETTING}."
        )

    def _session_timeout(self) -> int | None:
        """The SessionTimeout of the HTTPS listener's sign-in, read from the ALB; None if it cannot be."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            stack = self.environment.stack(APPLICATION_STACK).external_name
            listener = self.environment.call(
                APPLICATION_STACK,
                "cloudformation",
                "describe_stack_resource",
                {"StackName": stack, "LogicalResourceId": LISTENER},
            )["StackResourceDetail"]["PhysicalResourceId"]
            (found,) = self.environment.call(
                APPLICATION_STACK, "elbv2", "describe_listeners", {"ListenerArns": [listener]}
            )["Listeners"]
        except (WebctlError, ClientError, BotoCoreError, KeyError, ValueError):
            return None
        for action in found.get("DefaultActions", []):
            if action.get("Type") == "authenticate-cognito":
                return int(action["AuthenticateCognitoConfig"].get("SessionTimeout", 604800))
        return None


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} s"


def _confirmed(question: str) -> bool:
    print(question, end="", flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        answer = ""
    if not answer:
        print()  # stdin closed: no answer is a no
    return answer.strip().lower() in {"y", "yes"}
