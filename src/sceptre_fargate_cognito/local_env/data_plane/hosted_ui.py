"""The Cognito hosted UI's endpoints over the emulator's user pools, as Cognito documents them.

`https://<prefix>.auth.<region>.localhost:<port>` stands for `<prefix>.auth.<region>.amazoncognito.com`:
- GET  /oauth2/authorize  checks the client, the redirect_uri (registered exactly), response_type
                          and scope; with a live hosted-UI session it returns a code at once,
                          otherwise it redirects to /login with the same parameters;
- GET  /login             the sign-in form; POST /login signs in (AdminInitiateAuth), asks an
                          invited user for a new password (the NEW_PASSWORD_REQUIRED challenge,
                          RespondToAuthChallenge), then redirects to redirect_uri?code=..&state=..;
- POST /oauth2/token      authorization_code grant (client secret by Basic auth or in the body),
                          refresh_token grant; codes are single-use and live 5 minutes;
                          client_credentials grant (a machine client's access token, `scope`
                          optional: all the client's scopes by default);
- GET  /oauth2/userInfo   the user's attributes for a Bearer access token (GetUser);
- GET  /logout            ends the hosted-UI session and redirects to a registered logout_uri.
Everything about users and clients is read from the emulator's cognito-idp API; this module keeps
only what Cognito keeps behind its endpoints: authorization codes and hosted-UI sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from botocore.exceptions import ClientError

from sceptre_fargate_cognito.local_env.data_plane.messages import Request, Response

CODE_LIFETIME = 300  # seconds: Cognito's authorization codes are valid for 5 minutes
SESSION_LIFETIME = 3600  # seconds: the hosted UI remembers a sign-in for an hour
SESSION_COOKIE = "cognito"
XSRF_COOKIE = "XSRF-TOKEN"
WRONG_CREDENTIALS = "Incorrect username or password."
NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
# Where the emulator signs a machine client's token with the pool's key (on AWS, inside Cognito).
CLIENT_CREDENTIALS_PATH = "/moto-api/cognito-idp/client-credentials-token"


def secret_hash(client_id: str, client_secret: str, username: str) -> str:
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Grant:
    """What an authorization code stands for until it is redeemed."""

    pool_id: str
    client_id: str
    redirect_uri: str
    scope: str
    tokens: dict[str, Any]
    expires: float


@dataclass
class SignIn:
    """A hosted-UI session (the `cognito` cookie)."""

    pool_id: str
    client_id: str
    username: str
    refresh_token: str
    expires: float


class Refusal(Exception):
    def __init__(self, response: Response):
        self.response = response


def _error_page(error: str, description: str) -> Response:
    # Cognito shows its own page, not a redirect, when the client or redirect_uri is wrong.
    return Response.page(
        400,
        "Error",
        f"<h1>An error was encountered with the requested page.</h1><p id='error'>{html.escape(error)}</p>"
        f"<p>{html.escape(description)}</p>",
    )


def _json(status: int, body: Mapping[str, Any], headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        status,
        [("Content-Type", "application/json;charset=UTF-8"), *NO_STORE, *(headers or [])],
        json.dumps(body).encode(),
    )


class HostedUi:
    """The endpoints of every user-pool domain in the emulator (`cognito` is a cognito-idp client)."""

    def __init__(self, cognito):
        self.cognito = cognito
        self._lock = threading.Lock()
        self._codes: dict[str, Grant] = {}
        self._sessions: dict[str, SignIn] = {}

    # ------------------------------------------------------------------ lookups
    def pool_of(self, prefix: str) -> str | None:
        try:
            description = self.cognito.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
        except ClientError:
            return None
        return description.get("UserPoolId") or None

    def client(self, pool_id: str, client_id: str) -> dict[str, Any] | None:
        if not client_id:
            return None
        try:
            return self.cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
                "UserPoolClient"
            ]
        except ClientError:
            return None

    # ------------------------------------------------------------------ dispatch
    def handle(self, prefix: str, request: Request) -> Response:
        pool_id = self.pool_of(prefix)
        if pool_id is None:
            return Response.text(404, f"no user pool has the domain {prefix}\n")
        routes = {
            "/oauth2/authorize": ("GET", self.authorize),
            "/login": ("GET POST", self.login),
            "/oauth2/token": ("POST", self.token),
            "/oauth2/userInfo": ("GET POST", self.user_info),
            "/logout": ("GET", self.logout),
        }
        if request.path not in routes:
            return Response.text(404, "not found\n")
        methods, endpoint = routes[request.path]
        if request.method not in methods.split():
            return Response.text(
                405,
                f"{request.path} allows {methods.replace(' ', ', ')} only\n",
                [("Allow", methods.replace(" ", ", "))],
            )
        try:
            return endpoint(pool_id, request)
        except Refusal as refusal:
            return refusal.response

    # ------------------------------------------------------------------ authorize and login
    def _checked_client(self, pool_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        """The client the request names, with redirect_uri registered exactly; else Cognito's error page."""
        client = self.client(pool_id, params.get("client_id", ""))
        if client is None:
            raise Refusal(
                _error_page(
                    "invalid_request", "client_id is missing or names no app client of this user pool"
                )
            )
        if params.get("redirect_uri", "") not in (client.get("CallbackURLs") or []):
            raise Refusal(
                _error_page("redirect_mismatch", "redirect_uri is not one of the app client's callback URLs")
            )
        return client

    def _redirect_error(self, params: Mapping[str, str], error: str) -> Response:
        query = {"error": error, **({"state": params["state"]} if "state" in params else {})}
        return Response.redirect(f"{params['redirect_uri']}?{urlencode(query)}")

    def _flow_refusal(self, client: Mapping[str, Any], params: Mapping[str, str]) -> Response | None:
        if params.get("response_type") not in ("code", "token"):
            return self._redirect_error(params, "unsupported_response_type")
        if params["response_type"] not in (client.get("AllowedOAuthFlows") or []) or not client.get(
            "AllowedOAuthFlowsUserPoolClient"
        ):
            return self._redirect_error(params, "unauthorized_client")
        requested = params.get("scope", "").split()
        allowed = client.get("AllowedOAuthScopes") or []
        if any(s not in allowed for s in requested):
            return self._redirect_error(params, "invalid_scope")
        if params["response_type"] == "token":
            # The ALB and this project use the code grant only; the implicit grant is not served.
            return self._redirect_error(params, "unsupported_response_type")
        return None

    def authorize(self, pool_id: str, request: Request) -> Response:
        params = request.params()
        client = self._checked_client(pool_id, params)
        refusal = self._flow_refusal(client, params)
        if refusal:
            return refusal
        signed_in = self._live_session(request, pool_id, client["ClientId"])
        if signed_in is not None:
            try:
                result = self.cognito.admin_initiate_auth(
                    UserPoolId=pool_id,
                    ClientId=client["ClientId"],
                    AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters=self._with_secret(
                        client, signed_in.username, {"REFRESH_TOKEN": signed_in.refresh_token}
                    ),
                )["AuthenticationResult"]
                result.setdefault("RefreshToken", signed_in.refresh_token)
                return self._code_redirect(pool_id, client, params, result)
            except ClientError:
                pass  # the user was disabled or removed since: sign in again
        return Response.redirect(f"/login?{request.query}")

    def _live_session(self, request: Request, pool_id: str, client_id: str) -> SignIn | None:
        session_id = request.cookie(SESSION_COOKIE)
        with self._lock:
            session = self._sessions.get(session_id or "")
        if (
            session
            and session.expires > time.time()
            and (session.pool_id, session.client_id) == (pool_id, client_id)
        ):
            return session
        return None

    def _with_secret(
        self, client: Mapping[str, Any], username: str, parameters: dict[str, str]
    ) -> dict[str, str]:
        if client.get("ClientSecret"):
            parameters["SECRET_HASH"] = secret_hash(client["ClientId"], client["ClientSecret"], username)
        return parameters

    def _form(
        self,
        params: Mapping[str, str],
        xsrf: str,
        message: str = "",
        challenge: Mapping[str, str] | None = None,
    ) -> str:
        hidden = f"<input type='hidden' name='_csrf' value='{html.escape(xsrf)}'>"
        error = f"<p id='loginErrorMessage' role='alert'>{html.escape(message)}</p>" if message else ""
        action = html.escape("/login?" + urlencode(params))
        if challenge:
            for name, value in challenge.items():
                hidden += f"<input type='hidden' name='{name}' value='{html.escape(value)}'>"
            return (
                f"<h1>Change Password</h1><p>Please enter a new password.</p>{error}"
                f"<form method='post' action='{action}'>{hidden}"
                "<label>New Password <input type='password' name='new_password' autocomplete='new-password' required></label>"
                "<label>Enter New Password Again <input type='password' name='confirm_password' autocomplete='new-password' required></label>"
                "<button type='submit' name='change_password'>Send</button></form>"
            )
        return (
            f"<h1>Sign in with your email and password</h1>{error}"
            f"<form method='post' action='{action}'>{hidden}"
            "<label>Email <input type='text' name='username' autocomplete='username' required></label>"
            "<label>Password <input type='password' name='password' autocomplete='current-password' required></label>"
            "<button type='submit' name='signInSubmitButton'>Sign in</button></form>"
        )

    def _page(
        self,
        params: Mapping[str, str],
        status: int = 200,
        message: str = "",
        challenge: Mapping[str, str] | None = None,
    ) -> Response:
        xsrf = secrets.token_urlsafe(24)
        return Response.page(
            status,
            "Signin",
            self._form(params, xsrf, message, challenge),
            [("Set-Cookie", f"{XSRF_COOKIE}={xsrf}; Path=/; Secure; HttpOnly; SameSite=Lax"), *NO_STORE],
        )

    def login(self, pool_id: str, request: Request) -> Response:
        params = request.params()
        client = self._checked_client(pool_id, params)
        refusal = self._flow_refusal(client, params)
        if refusal:
            return refusal
        if request.method == "GET":
            return self._page(params)
        form = request.form()
        xsrf = request.cookie(XSRF_COOKIE)
        if not xsrf or not hmac.compare_digest(xsrf, form.get("_csrf", "")):
            return Response.text(
                403, "the sign-in form expired or came from elsewhere: open the sign-in page again\n"
            )
        if "session" in form:
            return self._new_password(pool_id, client, params, form)
        username, password = form.get("username", "").strip(), form.get("password", "")
        if not username or not password:
            return self._page(params, 400, "Enter your email and password.")
        try:
            result = self.cognito.admin_initiate_auth(
                UserPoolId=pool_id,
                ClientId=client["ClientId"],
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters=self._with_secret(
                    client, username, {"USERNAME": username, "PASSWORD": password}
                ),
            )
        except ClientError as err:
            return self._page(params, 400, self._sign_in_error(err))
        if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return self._page(params, challenge={"session": result["Session"], "username": username})
        if "AuthenticationResult" not in result:
            return self._page(
                params,
                400,
                f"This sign-in needs {result.get('ChallengeName')}, which the local hosted UI does not offer.",
            )
        return self._signed_in(pool_id, client, params, username, result["AuthenticationResult"])

    @staticmethod
    def _sign_in_error(err: ClientError) -> str:
        error = err.response.get("Error", {})
        if (
            error.get("Code") == "NotAuthorizedException"
            and "disabled" in str(error.get("Message", "")).lower()
        ):
            return "User is disabled."
        if error.get("Code") == "PasswordResetRequiredException":
            return "Password reset required for the user"
        # Unknown user or wrong password: the same words, so the page never tells which (user existence).
        return WRONG_CREDENTIALS

    def _new_password(
        self, pool_id: str, client: Mapping[str, Any], params: Mapping[str, str], form: Mapping[str, str]
    ) -> Response:
        challenge = {"session": form.get("session", ""), "username": form.get("username", "")}
        new_password = form.get("new_password", "")
        if new_password != form.get("confirm_password", ""):
            return self._page(params, 400, "Passwords do not match.", challenge)
        try:
            result = self.cognito.admin_respond_to_auth_challenge(
                UserPoolId=pool_id,
                ClientId=client["ClientId"],
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=challenge["session"],
                ChallengeResponses=self._with_secret(
                    client,
                    challenge["username"],
                    {"USERNAME": challenge["username"], "NEW_PASSWORD": new_password},
                ),
            )
        except ClientError as err:
            error = err.response.get("Error", {})
            if error.get("Code") == "InvalidPasswordException":
                return self._page(
                    params, 400, f"Password does not conform to policy: {error.get('Message', '')}", challenge
                )
            return self._page(params, 400, "Your session has expired: sign in again.")
        if "AuthenticationResult" not in result:
            return self._page(
                params,
                400,
                f"This sign-in needs {result.get('ChallengeName')}, which the local hosted UI does not offer.",
            )
        return self._signed_in(pool_id, client, params, challenge["username"], result["AuthenticationResult"])

    def _signed_in(
        self,
        pool_id: str,
        client: Mapping[str, Any],
        params: Mapping[str, str],
        username: str,
        tokens: dict[str, Any],
    ) -> Response:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session_id] = SignIn(
                pool_id,
                client["ClientId"],
                username,
                tokens.get("RefreshToken", ""),
                time.time() + SESSION_LIFETIME,
            )
        response = self._code_redirect(pool_id, client, params, tokens)
        response.headers.append(
            ("Set-Cookie", f"{SESSION_COOKIE}={session_id}; Path=/; Secure; HttpOnly; SameSite=Lax")
        )
        return response

    def _code_redirect(
        self, pool_id: str, client: Mapping[str, Any], params: Mapping[str, str], tokens: dict[str, Any]
    ) -> Response:
        code = str(secrets.token_hex(16))
        with self._lock:
            now = time.time()
            for stale in [c for c, g in self._codes.items() if g.expires <= now]:
                del self._codes[stale]
            self._codes[code] = Grant(
                pool_id,
                client["ClientId"],
                params["redirect_uri"],
                params.get("scope", ""),
                tokens,
                now + CODE_LIFETIME,
            )
        query = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        return Response.redirect(f"{params['redirect_uri']}?{urlencode(query)}", headers=list(NO_STORE))

    # ------------------------------------------------------------------ token and userInfo
    def _authenticated_client(
        self, pool_id: str, request: Request, form: Mapping[str, str]
    ) -> dict[str, Any]:
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret")
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
            except ValueError:
                raise Refusal(_json(401, {"error": "invalid_client"})) from None
        client = self.client(pool_id, client_id)
        if client is None:
            raise Refusal(_json(401, {"error": "invalid_client"}))
        if client.get("ClientSecret") and not hmac.compare_digest(
            client["ClientSecret"], client_secret or ""
        ):
            raise Refusal(_json(401, {"error": "invalid_client"}))
        return client

    def token(self, pool_id: str, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _json(400, {"error": "invalid_request"})
        form = request.form()
        client = self._authenticated_client(pool_id, request, form)
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            with self._lock:
                grant = self._codes.pop(form.get("code", ""), None)  # single use, also when refused
            if (
                grant is None
                or grant.expires <= time.time()
                or (grant.pool_id, grant.client_id) != (pool_id, client["ClientId"])
            ):
                return _json(400, {"error": "invalid_grant"})
            if form.get("redirect_uri", "") != grant.redirect_uri:
                return _json(400, {"error": "invalid_grant"})
            tokens = grant.tokens
            body = {
                "id_token": tokens["IdToken"],
                "access_token": tokens["AccessToken"],
                "refresh_token": tokens.get("RefreshToken", ""),
                "expires_in": tokens.get("ExpiresIn", 3600),
                "token_type": "Bearer",
            }
            return _json(200, body)
        if grant_type == "refresh_token":
            try:
                tokens = self.cognito.admin_initiate_auth(
                    UserPoolId=pool_id,
                    ClientId=client["ClientId"],
                    AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": form.get("refresh_token", "")},
                )["AuthenticationResult"]
            except ClientError:
                return _json(400, {"error": "invalid_grant"})
            return _json(
                200,
                {
                    "id_token": tokens["IdToken"],
                    "access_token": tokens["AccessToken"],
                    "expires_in": tokens.get("ExpiresIn", 3600),
                    "token_type": "Bearer",
                },
            )
        if grant_type == "client_credentials":
            return self._client_credentials(pool_id, client, request, form)
        return _json(400, {"error": "unsupported_grant_type"})

    def _client_credentials(
        self, pool_id: str, client: Mapping[str, Any], request: Request, form: Mapping[str, str]
    ) -> Response:
        """A machine client's access token. The client is authenticated above; the emulator,
        which holds the pool's signing key, checks the client's flow and scopes and signs
        (emulator/patches/cognito_client_credentials.py)."""
        if not client.get("ClientSecret"):
            return _json(401, {"error": "invalid_client"})  # a client without a secret has no credentials
        body: dict[str, Any] = {
            "UserPoolId": pool_id,
            "ClientId": client["ClientId"],
            "ClientSecret": client["ClientSecret"],
        }
        if form.get("scope", "").strip():
            body["Scope"] = form["scope"]
        status, answer = self._emulator_post(CLIENT_CREDENTIALS_PATH, body)
        if status != 200:
            return _json(status, {"error": answer.get("error", "invalid_request")})
        return _json(200, {k: answer[k] for k in ("access_token", "expires_in", "token_type")})

    def _emulator_post(self, path: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.cognito.meta.endpoint_url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as refused:
            try:
                return refused.code, json.load(refused)
            except ValueError:
                return refused.code, {}

    def user_info(self, pool_id: str, request: Request) -> Response:
        authorization = request.headers.get("authorization", "")
        challenge = [("WWW-Authenticate", 'Bearer error="invalid_token"')]
        if not authorization.lower().startswith("bearer "):
            return _json(
                401, {"error": "invalid_request", "error_description": "Bearer token required"}, challenge
            )
        try:
            user = self.cognito.get_user(AccessToken=authorization[7:].strip())
        except ClientError:
            return _json(
                401, {"error": "invalid_token", "error_description": "Access token is not valid"}, challenge
            )
        claims: dict[str, Any] = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        claims["username"] = user["Username"]
        return _json(200, claims)

    # ------------------------------------------------------------------ logout
    def logout(self, pool_id: str, request: Request) -> Response:
        params = request.params()
        client = self.client(pool_id, params.get("client_id", ""))
        if client is None:
            return _error_page(
                "invalid_request", "client_id is missing or names no app client of this user pool"
            )
        clear = [
            ("Set-Cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"),
            *NO_STORE,
        ]
        session_id = request.cookie(SESSION_COOKIE)
        if "logout_uri" in params:
            if params["logout_uri"] not in (client.get("LogoutURLs") or []):
                return _error_page(
                    "invalid_request", "logout_uri is not one of the app client's sign-out URLs"
                )
            self._forget(session_id)
            return Response.redirect(params["logout_uri"], headers=clear)
        # The other documented form: sign out, then sign in again at redirect_uri.
        if params.get("redirect_uri") not in (client.get("CallbackURLs") or []):
            return _error_page(
                "redirect_mismatch", "redirect_uri is not one of the app client's callback URLs"
            )
        self._forget(session_id)
        return Response.redirect(f"/login?{request.query}", headers=clear)

    def _forget(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)
