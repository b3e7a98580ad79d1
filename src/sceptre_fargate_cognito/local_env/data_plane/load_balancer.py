"""The ALB's listeners on loopback: each request is answered as the launched listener says.

Per request, the load balancer, its listener for the port, the listener's rules and the target
group's target health are read from the emulator's public elbv2 API, so a change launched to the
listener decides the very next request. The matching rule's actions then run as the ALB runs them:
authenticate-cognito (session cookie, or a 302 to the hosted UI, or 401/pass-through as
OnUnauthenticatedRequest says; /oauth2/idpresponse redeems the code) or jwt-validation (a bearer
token checked against the action's JWKS, issuer and claims, else 401), then forward (to a healthy
registered target; all of them when none is healthy, as the ALB fails open; 503 when there are
none), redirect or fixed-response.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from botocore.exceptions import ClientError

from sceptre_fargate_cognito.local_env.data_plane import listener_rules
from sceptre_fargate_cognito.local_env.data_plane.hosted_ui import HostedUi
from sceptre_fargate_cognito.local_env.data_plane.jwt_validation import JwtValidator
from sceptre_fargate_cognito.local_env.data_plane.messages import Request, Response
from sceptre_fargate_cognito.local_env.data_plane.oidc_data import SigningKey, oidc_data
from sceptre_fargate_cognito.local_env.data_plane.session_cookie import DEFAULT_NAME, SessionCookies

CALLBACK_PATH = "/oauth2/idpresponse"
DEFAULT_SESSION_TIMEOUT = 604800  # 7 days, the ALB's default
STATE_LIFETIME = 900  # seconds a sign-in may take between the 302 and the callback
OIDC_HEADERS = ("x-amzn-oidc-accesstoken", "x-amzn-oidc-identity", "x-amzn-oidc-data")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
# Target states the ALB never sends traffic to, even when failing open.
NOT_ROUTABLE = {"draining", "unused"}


@dataclass
class PendingSignIn:
    url: str
    client_id: str
    expires: float


def _token_expiry(token: str) -> int | None:
    """The `exp` of a JWT's payload, read without verifying it (the hosted UI just issued it)."""
    try:
        payload = token.split(".")[1]
        return int(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"])
    except (IndexError, KeyError, ValueError, TypeError):
        return None


class LoadBalancer:
    """Answers requests for the listeners of the emulator's application load balancer.

    `local_ports` maps the ALB's listener ports to the loopback ports they are served on (443 and 80
    to whatever was free); `hosted_ui_authority(prefix)` is where the hosted UI of a user-pool
    domain prefix is served."""

    def __init__(
        self,
        elbv2,
        hosted_ui: HostedUi,
        *,
        region: str,
        local_ports: Mapping[int, int],
        hosted_ui_authority: Callable[[str], str],
        signing_key: SigningKey,
        load_balancer_name: str | None = None,
        sessions: SessionCookies | None = None,
        jwt_validator: JwtValidator | None = None,
    ):
        self.elbv2 = elbv2
        self.hosted_ui = hosted_ui
        self.region = region
        self.local_ports = dict(local_ports)
        self.hosted_ui_authority = hosted_ui_authority
        self.signing_key = signing_key
        self.load_balancer_name = load_balancer_name
        self.sessions = sessions or SessionCookies()
        # JWKS endpoints on AWS's hosts are read from the emulator the elbv2 client talks to.
        self.jwt_validator = jwt_validator or JwtValidator(getattr(elbv2.meta, "endpoint_url", None))
        self._lock = threading.Lock()
        self._pending: dict[str, PendingSignIn] = {}
        self._turn = itertools.count()

    # ------------------------------------------------------------------ what was launched
    def _load_balancer(self) -> dict[str, Any] | Response:
        try:
            kwargs = {"Names": [self.load_balancer_name]} if self.load_balancer_name else {}
            balancers = [
                lb
                for lb in self.elbv2.describe_load_balancers(**kwargs)["LoadBalancers"]
                if lb.get("Type") == "application"
            ]
        except ClientError:
            balancers = []
        if not balancers:
            return Response.text(503, "no application load balancer is launched yet\n")
        if len(balancers) > 1:
            names = ", ".join(sorted(lb["LoadBalancerName"] for lb in balancers))
            return Response.text(
                503,
                f"several load balancers are launched ({names}): start the data plane with --load-balancer NAME\n",
            )
        return balancers[0]

    def handle(self, listener_port: int, request: Request) -> Response:
        balancer = self._load_balancer()
        if isinstance(balancer, Response):
            return balancer
        listeners = self.elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        listener = next((entry for entry in listeners if entry["Port"] == listener_port), None)
        if listener is None:
            return Response.text(503, f"the load balancer has no listener on port {listener_port}\n")
        rules = self.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
        seen = listener_rules.Request(
            protocol=listener["Protocol"],
            port=listener_port,
            method=request.method,
            host=request.host,
            path=request.path,
            query=request.query,
            headers=request.headers,
            source_ip=request.source_ip,
        )
        rule = listener_rules.matching_rule(rules, seen)
        if rule is None:  # a listener always has a default rule; be safe anyway
            return Response.text(503, "no rule matched\n")
        return self._perform(balancer, listener, listener_rules.ordered_actions(rule), seen, request)

    # ------------------------------------------------------------------ actions
    def _perform(self, balancer, listener, actions, seen, request: Request) -> Response:
        identity: dict[str, str] = {}
        for action in actions:
            kind = action.get("Type")
            if kind in ("authenticate-cognito", "jwt-validation") and listener["Protocol"] != "HTTPS":
                return Response.text(500, f"{kind} needs an HTTPS listener\n")
            if kind == "authenticate-cognito":
                outcome = self._authenticate(balancer, action.get("AuthenticateCognitoConfig") or {}, request)
                if isinstance(outcome, Response):
                    return outcome
                identity = outcome
            elif kind == "jwt-validation":
                refusal = self.jwt_validator.check(action.get("JwtValidationConfig") or {}, request.headers)
                if refusal is not None:
                    return refusal
            elif kind == "forward":
                return self._forward(action, seen, request, identity)
            elif kind == "redirect":
                config = action.get("RedirectConfig") or {}
                location = listener_rules.redirect_location(config, seen, self.local_ports)
                return Response.redirect(location, listener_rules.redirect_status(config))
            elif kind == "fixed-response":
                config = action.get("FixedResponseConfig") or {}
                headers = [("Content-Type", config["ContentType"])] if config.get("ContentType") else []
                return Response(
                    int(config.get("StatusCode", 200)), headers, (config.get("MessageBody") or "").encode()
                )
            else:
                return Response.text(500, f"the local data plane does not perform {kind} actions\n")
        return Response.text(500, "the rule has no final action\n")

    # ------------------------------------------------------------------ authenticate-cognito
    def _authenticate(
        self, balancer, config: Mapping[str, Any], request: Request
    ) -> dict[str, str] | Response:
        pool_id = str(config.get("UserPoolArn", "")).rsplit("/", 1)[-1]
        client_id = str(config.get("UserPoolClientId", ""))
        cookie_name = config.get("SessionCookieName") or DEFAULT_NAME
        if request.path == CALLBACK_PATH:
            return self._callback(balancer, config, pool_id, client_id, cookie_name, request)
        session = self.sessions.read(cookie_name, request.headers.get("cookie", ""))
        if session and (session.get("pool"), session.get("client")) == (pool_id, client_id):
            return self._identity_headers(balancer, session)
        on_unauthenticated = config.get("OnUnauthenticatedRequest") or "authenticate"
        if on_unauthenticated == "allow":
            return {}
        if on_unauthenticated == "deny":
            return Response.text(401, "401 Authorization Required\n")
        state = secrets.token_urlsafe(32)
        original = f"https://{request.authority}{request.path}" + (
            f"?{request.query}" if request.query else ""
        )
        with self._lock:
            now = time.time()
            for stale in [s for s, p in self._pending.items() if p.expires <= now]:
                del self._pending[stale]
            self._pending[state] = PendingSignIn(original, client_id, now + STATE_LIFETIME)
        query = {
            "client_id": client_id,
            "redirect_uri": f"https://{request.authority}{CALLBACK_PATH}",
            "response_type": "code",
            "scope": config.get("Scope") or "openid",
            "state": state,
            **(config.get("AuthenticationRequestExtraParams") or {}),
        }
        domain = self.hosted_ui_authority(str(config.get("UserPoolDomain", "")))
        return Response.redirect(
            f"https://{domain}/oauth2/authorize?{urlencode(query, quote_via=quote)}",
            headers=[("Cache-Control", "no-cache")],
        )

    def _callback(
        self, balancer, config, pool_id: str, client_id: str, cookie_name: str, request: Request
    ) -> Response:
        params = request.params()
        with self._lock:
            pending = self._pending.pop(params.get("state", ""), None)
        if pending is None or pending.expires <= time.time() or pending.client_id != client_id:
            return Response.text(
                401,
                "401 Authorization Required: the sign-in is unknown or expired; open the application again\n",
            )
        if "error" in params or "code" not in params:
            return Response.text(
                401,
                f"401 Authorization Required: the identity provider answered {params.get('error', 'no code')}\n",
            )
        client = self.hosted_ui.client(pool_id, client_id) or {}
        credentials = base64.b64encode(f"{client_id}:{client.get('ClientSecret', '')}".encode()).decode()
        prefix = str(config.get("UserPoolDomain", ""))
        token = self.hosted_ui.handle(
            prefix,
            Request(
                "POST",
                "",
                "",
                "/oauth2/token",
                "",
                {
                    "content-type": "application/x-www-form-urlencoded",
                    "authorization": f"Basic {credentials}",
                },
                urlencode(
                    {
                        "grant_type": "authorization_code",
                        "code": params["code"],
                        "client_id": client_id,
                        "redirect_uri": f"https://{request.authority}{CALLBACK_PATH}",
                    }
                ).encode(),
            ),
        )
        if token.status != 200:
            return Response.text(
                401, f"401 Authorization Required: the token endpoint answered {token.status}\n"
            )
        tokens = json.loads(token.body)
        user_info = self.hosted_ui.handle(
            prefix,
            Request(
                "GET", "", "", "/oauth2/userInfo", "", {"authorization": f"Bearer {tokens['access_token']}"}
            ),
        )
        if user_info.status != 200:
            return Response.text(
                401, f"401 Authorization Required: the userInfo endpoint answered {user_info.status}\n"
            )
        claims = json.loads(user_info.body)
        timeout = int(config.get("SessionTimeout") or DEFAULT_SESSION_TIMEOUT)
        session = {
            "pool": pool_id,
            "client": client_id,
            "claims": claims,
            "access_token": tokens["access_token"],
            "expires": int(time.time()) + timeout,
        }
        cookies = [
            ("Set-Cookie", value) for value in self.sessions.set_cookie_headers(cookie_name, session, timeout)
        ]
        return Response.redirect(pending.url, headers=cookies)

    def _identity_headers(self, balancer, session: Mapping[str, Any]) -> dict[str, str]:
        claims = session["claims"]
        expires = min(_token_expiry(session["access_token"]) or session["expires"], session["expires"])
        issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{session['pool']}"
        return {
            "x-amzn-oidc-accesstoken": session["access_token"],
            "x-amzn-oidc-identity": str(claims.get("sub", "")),
            "x-amzn-oidc-data": oidc_data(
                self.signing_key,
                signer=balancer["LoadBalancerArn"],
                issuer=issuer,
                client_id=session["client"],
                expires=expires,
                user_claims=claims,
            ),
        }

    # ------------------------------------------------------------------ forward
    def _targets(self, target_group_arn: str) -> list[tuple[str, int]]:
        """Where the ALB would send a request: the healthy targets; every registered one that is
        not draining when none is healthy (fail open)."""
        group = self.elbv2.describe_target_groups(TargetGroupArns=[target_group_arn])["TargetGroups"][0]
        descriptions = self.elbv2.describe_target_health(TargetGroupArn=target_group_arn)[
            "TargetHealthDescriptions"
        ]
        routable = [d for d in descriptions if d.get("TargetHealth", {}).get("State") not in NOT_ROUTABLE]
        healthy = [d for d in routable if d.get("TargetHealth", {}).get("State") == "healthy"]
        chosen = healthy or routable
        return [(d["Target"]["Id"], int(d["Target"].get("Port") or group.get("Port") or 80)) for d in chosen]

    def _forward(
        self, action, seen: listener_rules.Request, request: Request, identity: Mapping[str, str]
    ) -> Response:
        groups = listener_rules.forward_target_groups(action)
        if not groups:
            return Response.text(500, "forward action without a target group\n")
        (target_group_arn,) = random.choices(
            [arn for arn, _ in groups], weights=[max(w, 0) or 0.0001 for _, w in groups]
        )
        try:
            targets = self._targets(target_group_arn)
        except (ClientError, IndexError):
            targets = []
        if not targets:
            return Response.text(
                503, "503 Service Temporarily Unavailable: the target group has no registered targets\n"
            )
        host, port = targets[next(self._turn) % len(targets)]
        headers = {
            name: value
            for name, value in request.headers.items()
            if name not in HOP_BY_HOP and not name.startswith("x-amzn-oidc-")
        }
        forwarded_for = request.headers.get("x-forwarded-for")
        headers.update(
            {
                "x-forwarded-for": f"{forwarded_for}, {request.source_ip}"
                if forwarded_for
                else request.source_ip,
                "x-forwarded-proto": seen.protocol.lower(),
                "x-forwarded-port": str(seen.port),
                "x-amzn-trace-id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
                **identity,
            }
        )
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.request(
                request.method,
                request.path + (f"?{request.query}" if request.query else ""),
                body=request.body or None,
                headers=headers,
            )
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError:
            return Response.text(504, "504 Gateway Time-out\n")
        except (OSError, http.client.HTTPException):
            return Response.text(502, "502 Bad Gateway\n")
        finally:
            connection.close()
        return Response(
            answer.status, [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP], body
        )
