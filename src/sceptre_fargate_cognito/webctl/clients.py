"""`webctl clients <env> ...`: the machine clients of the environment's user pool (the app clients
allowed the client-credentials grant), for trying the API by hand:

- `list`: each one's name, client id, scopes (never its secret) and whether the load balancer
  accepts its tokens;
- `token NAME [--scope S]`: an access token for it, printed alone on stdout so that
  `curl -H "Authorization: Bearer $(webctl clients prod token partner)" ...` works; a warning on
  stderr when the load balancer will refuse it.

Any app client with the grant gets a token from the pool, but the load balancer's jwt-validation
rule accepts only the clients the cognito stack made from `api.clients`: its `MachineClientIds`
output (comma-separated; absent when the environment has no `api`).

The token comes from the pool domain's token endpoint (`https://<HostedUiDomain>/oauth2/token`,
the cognito stack's output: `<prefix>.auth.<region>.amazoncognito.com` on AWS, the data plane's
hosted UI on `local`), as any OAuth client gets one. The client's secret is read through
DescribeUserPoolClient at that moment, sent in the Authorization header, and never stored,
printed or logged.
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.client
import json
import socket
import ssl
import sys
from urllib.parse import urlencode

from sceptre_fargate_cognito.webctl import table
from sceptre_fargate_cognito.webctl.environment import Environment
from sceptre_fargate_cognito.webctl.errors import OK, WebctlError

STACK = "cognito"
GRANT = "client_credentials"
ACCEPTED = "MachineClientIds"
TIMEOUT = 30


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "clients", help="the machine clients that call the API with tokens: list them, get a token"
    )
    parser.add_argument("environment", help="the environment (a folder of config/, e.g. prod)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "list", help="every machine client: name, client id, scopes (no secret), whether the ALB accepts it"
    )
    token = actions.add_parser(
        "token", help="print an access token for the machine client NAME (for curl's Authorization header)"
    )
    token.add_argument("name", help="the machine client's name (see `webctl clients <env> list`)")
    token.add_argument(
        "--scope", default=None, help="space-separated scopes to ask for (default: all the client's scopes)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, environment: Environment) -> int:
    clients = Clients(environment)
    return clients.list() if args.action == "list" else clients.token(args.name, args.scope)


class Clients:
    """The machine clients of one environment's user pool, through its cognito stack."""

    def __init__(self, environment: Environment):
        self.environment = environment
        self.name = environment.name

    @functools.cached_property
    def _outputs(self) -> dict[str, str]:
        """The cognito stack's outputs, described once per command."""
        return self.environment.outputs(STACK)

    def _output(self, key: str) -> str:
        if key not in self._outputs:
            return self.environment.output(STACK, key)  # says the stack lacks it
        return self._outputs[key]

    def _pool(self) -> str:
        return self._output("UserPoolId")

    def accepted(self) -> set[str]:
        """The client ids whose tokens the load balancer accepts: the cognito stack's output
        MachineClientIds (none when the environment has no api)."""
        listed = self._outputs.get(ACCEPTED, "")
        return {client_id for client_id in listed.split(",") if client_id}

    def _summaries(self) -> list[dict]:
        """Every app client of the pool, as ListUserPoolClients gives them (id and name)."""
        return [
            summary
            for page in self.environment.paginate(
                STACK,
                "cognito-idp",
                "list_user_pool_clients",
                "NextToken",
                {"UserPoolId": self._pool(), "MaxResults": 60},
            )
            for summary in page.get("UserPoolClients", [])
        ]

    def machine_clients(self, summaries: list[dict] | None = None) -> list[dict]:
        """The app clients (of `summaries`, default every one) allowed the client-credentials grant,
        described (their secret removed: DescribeUserPoolClient is called again, at the moment one
        is needed)."""
        found = []
        for summary in self._summaries() if summaries is None else summaries:
            described = self._describe(self._pool(), summary["ClientId"])
            described.pop("ClientSecret", None)
            if GRANT in (described.get("AllowedOAuthFlows") or []):
                found.append(described)
        return sorted(found, key=lambda c: (c.get("ClientName") or "", c["ClientId"]))

    def _describe(self, pool: str, client_id: str) -> dict:
        return self.environment.call(
            STACK, "cognito-idp", "describe_user_pool_client", {"UserPoolId": pool, "ClientId": client_id}
        )["UserPoolClient"]

    def list(self) -> int:
        clients = self.machine_clients()
        accepted = self.accepted()
        rows = [
            (
                c.get("ClientName") or "",
                c["ClientId"],
                "yes" if c["ClientId"] in accepted else "no",
                " ".join(c.get("AllowedOAuthScopes") or []),
            )
            for c in clients
        ]
        print(table.render(("NAME", "CLIENT ID", "ALB", "SCOPES"), rows))
        print(f"{len(rows)} machine client{'s' if len(rows) != 1 else ''} in {self.name}")
        return OK

    def token(self, name: str, scope: str | None) -> int:
        summaries = self._summaries()
        # Only the clients of that name are described (the others only to name them in an error).
        matching = self.machine_clients([c for c in summaries if c.get("ClientName") == name])
        listing = f"`webctl clients {self.name} list` lists them"
        if not matching:
            clients = self.machine_clients(summaries)
            names = ", ".join(sorted({c.get("ClientName") or c["ClientId"] for c in clients})) or "none"
            raise WebctlError(
                f"no machine client {name!r} in the user pool of {self.name} (machine clients: {names}); {listing}"
            )
        if len(matching) > 1:
            ids = ", ".join(c["ClientId"] for c in matching)
            raise WebctlError(f"several machine clients are named {name!r} ({ids}): rename all but one")
        client_id = matching[0]["ClientId"]
        secret = self._describe(self._pool(), client_id).get("ClientSecret")
        if not secret:
            raise WebctlError(
                f"the machine client {name!r} has no secret, so it cannot use the client-credentials grant: "
                "give it one (GenerateSecret) in the cognito template"
            )
        domain = self._output("HostedUiDomain")
        form = {"grant_type": GRANT, **({"scope": scope} if scope else {})}
        status, answer = post_form(domain, "/oauth2/token", form, client_id, secret)
        if status != 200 or "access_token" not in answer:
            error = answer.get("error", f"HTTP {status}")
            hint = {
                "invalid_scope": f"ask only for the client's scopes ({listing})",
                "invalid_client": "the client or its secret was not accepted",
                "unauthorized_client": "the client is not allowed the client-credentials grant",
            }.get(error, "")
            raise WebctlError(
                f"the token endpoint of {domain} refused a token for {name!r}: {error}"
                + (f"; {hint}" if hint else "")
            )
        print(answer["access_token"])
        if client_id not in self.accepted():
            print(
                f"warning: the load balancer will refuse this token (401): {name!r} is not among the "
                f"machine clients of the cognito stack (its output {ACCEPTED}); add it to api.clients "
                f"in config/{self.name}/config.yaml and run `sceptre launch {self.name}`",
                file=sys.stderr,
            )
        return OK


class _Connection(http.client.HTTPSConnection):
    """HTTPS to a host name, where a `*.localhost` name is loopback (RFC 6761; as browsers resolve
    it and the local data plane serves the hosted UI), with the name kept for SNI and Host."""

    def __init__(self, host: str, port: int | None, context: ssl.SSLContext):
        super().__init__(host, port, timeout=TIMEOUT, context=context)
        self._tls = context

    def connect(self):
        host = "127.0.0.1" if self.host == "localhost" or self.host.endswith(".localhost") else self.host
        raw = socket.create_connection((host, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post_form(domain: str, path: str, form: dict[str, str], client_id: str, secret: str) -> tuple[int, dict]:
    """POST a form to https://<domain><path> with the client's credentials by HTTP Basic; the
    status and the JSON answer ({} when it is not JSON). The certificate is verified (on `local`,
    against the CA in SSL_CERT_FILE)."""
    host, _, port = domain.partition(":")
    connection = _Connection(host, int(port) if port else None, ssl.create_default_context())
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    try:
        connection.request(
            "POST",
            path,
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {credentials}",
                "Accept": "application/json",
            },
        )
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as err:
        raise WebctlError(f"could not reach the token endpoint https://{domain}{path}: {err}") from None
    finally:
        connection.close()
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    return response.status, answer if isinstance(answer, dict) else {}
