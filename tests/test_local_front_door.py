"""The local front door through real HTTPS on loopback: the launched listener signs users in with
the launched user pool's hosted UI, forwards verifiable identity headers, and refuses what AWS
refuses. Users are made with the cognito-idp admin API; a rule added with the elbv2 API proves
that what a request gets is what was launched, not a fixture."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from echo_target import EchoTarget
from front_door_support import basic
from loopback_client import Answer, LoopbackClient

PASSWORD = "Correct-Horse-9-Battery"


def outputs(local, stack: str) -> dict[str, str]:
    name = f"{local.settings['project_code']}-local-{stack}"
    (described,) = local.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


@pytest.fixture(scope="module")
def front_door(launched_local):
    """The launched environment, its URLs and ids, and an echo target behind /echo/* that signs in
    with the listener's own authenticate-cognito settings (a rule added through the elbv2 API)."""
    local = launched_local
    elbv2 = local.client("elbv2")
    (balancer,) = elbv2.describe_load_balancers()["LoadBalancers"]
    listener = next(
        entry
        for entry in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        if entry["Port"] == 443
    )
    rules = elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    default = next(rule for rule in rules if rule["IsDefault"])
    authenticate = next(a for a in default["Actions"] if a["Type"] == "authenticate-cognito")
    with EchoTarget("echo") as echo:
        group = elbv2.create_target_group(
            Name="echo",
            Protocol="HTTP",
            Port=80,
            VpcId=outputs(local, "network")["VpcId"],
            TargetType="ip",
            HealthCheckPath="/healthz",
        )["TargetGroups"][0]
        elbv2.register_targets(
            TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": "127.0.0.1", "Port": echo.port}]
        )
        rule = elbv2.create_rule(
            ListenerArn=listener["ListenerArn"],
            Priority=40,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/echo/*"]}}],
            Actions=[
                {
                    "Type": "authenticate-cognito",
                    "Order": 1,
                    "AuthenticateCognitoConfig": authenticate["AuthenticateCognitoConfig"],
                },
                {"Type": "forward", "Order": 2, "TargetGroupArn": group["TargetGroupArn"]},
            ],
        )["Rules"][0]
        cognito = outputs(local, "cognito")
        try:
            yield {
                "local": local,
                "elbv2": elbv2,
                "idp": local.client("cognito-idp"),
                "balancer_arn": balancer["LoadBalancerArn"],
                "listener_arn": listener["ListenerArn"],
                "authenticate": authenticate["AuthenticateCognitoConfig"],
                "echo_group": group["TargetGroupArn"],
                "app_url": local.env["LOCAL_APP_URL"],
                "http_url": f"http://{local.settings['domain_name']}:{local.state.http_port}",
                "keys_url": local.env["LOCAL_AUTH_PUBLIC_KEYS_URL"],
                "pool_id": cognito["UserPoolId"],
                "client_id": cognito["UserPoolClientId"],
                "hosted_ui": f"https://{cognito['HostedUiDomain']}",
                "ca": local.state.ca_bundle,
            }
        finally:
            elbv2.delete_rule(RuleArn=rule["RuleArn"])
            elbv2.delete_target_group(TargetGroupArn=group["TargetGroupArn"])


def browser(door) -> LoopbackClient:
    return LoopbackClient(door["ca"])


def new_user(door, email: str, *, invited: bool = False) -> str:
    """A user of the launched pool: confirmed with PASSWORD, or invited with it as temporary password."""
    idp = door["idp"]
    idp.admin_create_user(
        UserPoolId=door["pool_id"],
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
    )
    if not invited:
        idp.admin_set_user_password(
            UserPoolId=door["pool_id"], Username=email, Password=PASSWORD, Permanent=True
        )
    user = idp.admin_get_user(UserPoolId=door["pool_id"], Username=email)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def hidden(page: Answer, name: str) -> str:
    match = re.search(rf"name='{name}' value='([^']*)'", page.text)
    assert match, f"no {name} field in {page.text[:500]}"
    return match[1]


def submit_sign_in(client: LoopbackClient, login_url: str, email: str, password: str) -> Answer:
    page = client.get(login_url)
    assert page.status == 200, page.text
    return client.post(login_url, {"_csrf": hidden(page, "_csrf"), "username": email, "password": password})


def to_login(client: LoopbackClient, url: str) -> str:
    """Open a protected URL without a session; return the hosted UI's login URL it leads to."""
    first = client.get(url)
    assert first.status == 302, first.text
    authorize = client.get(first.location)
    assert authorize.status == 302 and urlsplit(authorize.location).path == "/login", authorize.text
    return authorize.location


def sign_in(client: LoopbackClient, url: str, email: str, password: str = PASSWORD) -> Answer:
    """The whole flow a browser follows, from a protected URL back to it with a session."""
    signed_in = submit_sign_in(client, to_login(client, url), email, password)
    assert signed_in.status == 302, signed_in.text
    callback = client.get(signed_in.location)  # the ALB's /oauth2/idpresponse
    assert callback.status == 302, callback.text
    assert callback.location == url
    return client.get(callback.location)


def b64(part: str) -> bytes:
    assert len(part) % 4 == 0, f"{part!r} is not padded as the ALB pads"
    return base64.urlsafe_b64decode(part)


def verified_oidc_data(token: str, keys_url: str) -> tuple[dict, dict]:
    """Verify x-amzn-oidc-data as AWS documents it: ES256 over the raw header.payload text, the
    public key fetched as PEM from <keys URL>/<kid>."""
    header_part, payload_part, signature_part = token.split(".")
    header = json.loads(b64(header_part))
    with urllib.request.urlopen(f"{keys_url}/{header['kid']}", timeout=5) as answer:
        public_key = serialization.load_pem_public_key(answer.read())
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    signature = b64(signature_part)
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public_key.verify(der, f"{header_part}.{payload_part}".encode(), ec.ECDSA(hashes.SHA256()))
    return header, json.loads(b64(payload_part))


# ---------------------------------------------------------------------------- the launched listener
def test_an_unauthenticated_request_is_sent_to_the_launched_user_pools_hosted_ui(front_door):
    answer = browser(front_door).get(f"{front_door['app_url']}/reports/2026?page=2")

    assert answer.status == 302
    location = urlsplit(answer.location)
    assert f"{location.scheme}://{location.netloc}" == front_door["hosted_ui"]
    assert location.netloc.endswith(f".auth.eu-west-1.localhost:{front_door['local'].state.https_port}")
    assert location.path == "/oauth2/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [front_door["client_id"]]
    assert query["redirect_uri"] == [f"{front_door['app_url']}/oauth2/idpresponse"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == [front_door["authenticate"]["Scope"]] == ["openid email"]
    assert len(query["state"][0]) >= 32


def test_the_health_path_answers_without_sign_in_for_get_and_head_only(front_door):
    client = browser(front_door)

    assert client.get(f"{front_door['app_url']}/healthz").status == 200
    assert client.request("HEAD", f"{front_door['app_url']}/healthz").status == 200
    assert client.post(f"{front_door['app_url']}/healthz", {}).status == 302  # the default rule signs in


def test_plain_http_is_moved_permanently_to_https_on_the_port_local_serves_443_on(front_door):
    answer = browser(front_door).get(f"{front_door['http_url']}/a/b?c=d")

    assert (answer.status, answer.location) == (301, f"{front_door['app_url']}/a/b?c=d")


# ---------------------------------------------------------------------------- signing in
def test_a_user_signs_in_and_the_target_receives_identity_headers_it_can_verify(front_door):
    sub = new_user(front_door, "ada.door@example.com")
    client = browser(front_door)

    answer = sign_in(client, f"{front_door['app_url']}/echo/hello?x=1", "ada.door@example.com")

    assert answer.status == 200, answer.text
    seen = json.loads(answer.body)
    assert (seen["target"], seen["path"]) == ("echo", "/echo/hello?x=1")
    headers = seen["headers"]
    assert headers["x-amzn-oidc-identity"] == sub
    header, claims = verified_oidc_data(headers["x-amzn-oidc-data"], front_door["keys_url"])
    assert header["alg"] == "ES256"
    assert header["signer"] == front_door["balancer_arn"]
    assert header["client"] == front_door["client_id"]
    assert header["iss"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{front_door['pool_id']}"
    assert header["exp"] > time.time()
    assert (claims["sub"], claims["email"]) == (sub, "ada.door@example.com")
    # The access token is the user's: the hosted UI's userInfo endpoint accepts it.
    user_info = client.get(
        f"{front_door['hosted_ui']}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {headers['x-amzn-oidc-accesstoken']}"},
    )
    assert json.loads(user_info.body)["email"] == "ada.door@example.com"
    # The session is the ALB's cookie, in shards named as the ALB names them.
    jar = client.cookies[urlsplit(front_door["app_url"]).hostname or ""]
    assert "AWSELBAuthSessionCookie-0" in jar
    again = client.get(f"{front_door['app_url']}/echo/again")
    assert again.status == 200 and json.loads(again.body)["headers"]["x-amzn-oidc-identity"] == sub


def test_an_invited_user_chooses_a_new_password_at_the_first_sign_in(front_door):
    sub = new_user(front_door, "grace.door@example.com", invited=True)
    client = browser(front_door)
    login_url = to_login(client, f"{front_door['app_url']}/echo/first")

    challenge = submit_sign_in(client, login_url, "grace.door@example.com", PASSWORD)
    assert challenge.status == 200 and "new_password" in challenge.text
    form = {name: hidden(challenge, name) for name in ("_csrf", "session", "username")}
    mismatch = client.post(
        login_url, {**form, "new_password": "Another-Horse-7-Battery", "confirm_password": "x"}
    )
    assert mismatch.status == 400 and "Passwords do not match" in mismatch.text
    form = {name: hidden(mismatch, name) for name in ("_csrf", "session", "username")}
    chosen = client.post(
        login_url,
        {**form, "new_password": "Another-Horse-7-Battery", "confirm_password": "Another-Horse-7-Battery"},
    )
    assert chosen.status == 302, chosen.text
    landed = client.get(client.get(chosen.location).location)

    assert json.loads(landed.body)["headers"]["x-amzn-oidc-identity"] == sub
    user = front_door["idp"].admin_get_user(
        UserPoolId=front_door["pool_id"], Username="grace.door@example.com"
    )
    assert user["UserStatus"] == "CONFIRMED"


def test_a_wrong_password_an_unknown_user_and_a_disabled_user_are_refused_by_the_sign_in_page(front_door):
    new_user(front_door, "linus.door@example.com")
    client = browser(front_door)
    login_url = to_login(client, f"{front_door['app_url']}/echo/x")

    wrong = submit_sign_in(client, login_url, "linus.door@example.com", "Not-The-Password-1")
    unknown = submit_sign_in(client, login_url, "nobody@example.com", PASSWORD)
    front_door["idp"].admin_disable_user(UserPoolId=front_door["pool_id"], Username="linus.door@example.com")
    disabled = submit_sign_in(client, login_url, "linus.door@example.com", PASSWORD)

    assert (wrong.status, unknown.status, disabled.status) == (400, 400, 400)
    assert "Incorrect username or password." in wrong.text
    assert "Incorrect username or password." in unknown.text  # never says whether the user exists
    assert "User is disabled." in disabled.text
    assert "AWSELBAuthSessionCookie-0" not in client.cookies.get(
        urlsplit(front_door["app_url"]).hostname or "", {}
    )


# ---------------------------------------------------------------------------- hosted UI refusals
def authorize_url(door, **overrides) -> str:
    query = {
        "client_id": door["client_id"],
        "redirect_uri": f"{door['app_url']}/oauth2/idpresponse",
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        **overrides,
    }
    return f"{door['hosted_ui']}/oauth2/authorize?{urlencode(query)}"


def test_the_hosted_ui_refuses_an_unknown_client_and_a_callback_not_registered_exactly(front_door):
    client = browser(front_door)
    app = front_door["app_url"]
    without_port = app.rsplit(":", 1)[0]

    assert client.get(authorize_url(front_door)).status == 302  # the registered one
    unknown = client.get(authorize_url(front_door, client_id="nosuchclient"))
    assert unknown.status == 400 and "invalid_request" in unknown.text
    for near_miss in (
        f"{without_port}/oauth2/idpresponse",
        f"{app}/oauth2/idpresponse/",
        f"{app}/OAuth2/idpresponse",
        "https://evil.example.com/oauth2/idpresponse",
    ):
        answer = client.get(authorize_url(front_door, redirect_uri=near_miss))
        assert answer.status == 400 and "redirect_mismatch" in answer.text, near_miss
    scope = client.get(authorize_url(front_door, scope="openid admin"))
    assert parse_qs(urlsplit(scope.location).query) == {"error": ["invalid_scope"], "state": ["s"]}
    assert client.post(authorize_url(front_door), {}).status == 405


def logout_uri(door) -> str:
    client = door["idp"].describe_user_pool_client(UserPoolId=door["pool_id"], ClientId=door["client_id"])
    return client["UserPoolClient"]["LogoutURLs"][0]


def test_logout_is_get_only_and_redirects_to_a_registered_sign_out_url_only(front_door):
    client = browser(front_door)
    registered = logout_uri(front_door)
    base = f"{front_door['hosted_ui']}/logout"

    ok = client.get(f"{base}?{urlencode({'client_id': front_door['client_id'], 'logout_uri': registered})}")
    elsewhere = client.get(
        f"{base}?{urlencode({'client_id': front_door['client_id'], 'logout_uri': 'https://evil.example.com/'})}"
    )
    unknown = client.get(f"{base}?{urlencode({'client_id': 'nosuchclient', 'logout_uri': registered})}")
    posted = client.post(
        f"{base}?{urlencode({'client_id': front_door['client_id'], 'logout_uri': registered})}", {}
    )

    assert (ok.status, ok.header("Location")) == (302, registered)
    assert registered.startswith(front_door["app_url"])  # the host AND port local serves on
    assert (elsewhere.status, unknown.status, posted.status) == (400, 400, 405)


def test_the_hosted_ui_remembers_a_sign_in_until_logout(front_door):
    new_user(front_door, "alan.door@example.com")
    client = browser(front_door)
    sign_in(client, f"{front_door['app_url']}/echo/a", "alan.door@example.com")

    remembered = client.get(authorize_url(front_door))
    client.get(
        f"{front_door['hosted_ui']}/logout?"
        + urlencode({"client_id": front_door["client_id"], "logout_uri": logout_uri(front_door)})
    )
    forgotten = client.get(authorize_url(front_door))

    assert remembered.status == 302 and "code" in parse_qs(urlsplit(remembered.location).query)
    assert forgotten.status == 302 and urlsplit(forgotten.location).path == "/login"


def test_the_token_endpoint_refuses_a_wrong_secret_and_a_code_used_twice(front_door):
    new_user(front_door, "barbara.door@example.com")
    client = browser(front_door)
    authorize = client.get(authorize_url(front_door))
    signed_in = submit_sign_in(client, authorize.location, "barbara.door@example.com", PASSWORD)
    code = parse_qs(urlsplit(signed_in.location).query)["code"][0]
    secret = front_door["idp"].describe_user_pool_client(
        UserPoolId=front_door["pool_id"], ClientId=front_door["client_id"]
    )["UserPoolClient"]["ClientSecret"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": front_door["client_id"],
        "redirect_uri": f"{front_door['app_url']}/oauth2/idpresponse",
    }
    token_url = f"{front_door['hosted_ui']}/oauth2/token"

    wrong = client.post(token_url, form, headers=basic(front_door["client_id"], "not-the-secret"))
    first = client.post(token_url, form, headers=basic(front_door["client_id"], secret))
    second = client.post(token_url, form, headers=basic(front_door["client_id"], secret))

    assert (wrong.status, json.loads(wrong.body)) == (401, {"error": "invalid_client"})
    assert first.status == 200 and {"id_token", "access_token", "refresh_token"} <= set(
        json.loads(first.body)
    )
    assert (second.status, json.loads(second.body)) == (400, {"error": "invalid_grant"})


def test_a_tampered_session_cookie_is_no_session(front_door):
    new_user(front_door, "edsger.door@example.com")
    client = browser(front_door)
    sign_in(client, f"{front_door['app_url']}/echo/a", "edsger.door@example.com")
    host = urlsplit(front_door["app_url"]).hostname or ""
    value = client.cookies[host]["AWSELBAuthSessionCookie-0"]
    client.cookies[host]["AWSELBAuthSessionCookie-0"] = (
        value[:-8] + ("A" if value[-8] != "A" else "B") + value[-7:]
    )

    assert client.get(f"{front_door['app_url']}/echo/a").status == 302


# ---------------------------------------------------------------------------- what was launched decides
def test_a_rule_changed_through_the_elbv2_api_decides_the_very_next_request(front_door):
    elbv2, url = front_door["elbv2"], f"{front_door['app_url']}/maintenance/page"
    client = browser(front_door)
    assert client.get(url).status == 302
    rule = elbv2.create_rule(
        ListenerArn=front_door["listener_arn"],
        Priority=30,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/maintenance/*"]}}],
        Actions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {
                    "StatusCode": "503",
                    "ContentType": "text/plain",
                    "MessageBody": "back soon",
                },
            }
        ],
    )["Rules"][0]
    try:
        fixed = client.get(url)
        elbv2.modify_rule(
            RuleArn=rule["RuleArn"],
            Actions=[
                {
                    "Type": "redirect",
                    "RedirectConfig": {
                        "Protocol": "HTTPS",
                        "Port": "443",
                        "Host": "#{host}",
                        "Path": "/status",
                        "Query": "from=#{path}",
                        "StatusCode": "HTTP_302",
                    },
                }
            ],
        )
        redirected = client.get(url)
    finally:
        elbv2.delete_rule(RuleArn=rule["RuleArn"])
    after = client.get(url)

    assert (fixed.status, fixed.text, fixed.header("Content-Type")) == (503, "back soon", "text/plain")
    assert (redirected.status, redirected.location) == (
        302,
        f"{front_door['app_url']}/status?from=maintenance/page",
    )
    assert after.status == 302 and "/oauth2/authorize" in (after.location or "")


def test_on_unauthenticated_deny_answers_401_and_allow_forwards_without_identity(front_door):
    elbv2 = front_door["elbv2"]
    rule = next(
        r
        for r in elbv2.describe_rules(ListenerArn=front_door["listener_arn"])["Rules"]
        if r["Priority"] == "40"
    )
    client = browser(front_door)

    def with_unauthenticated(behaviour: str) -> Answer:
        config = {**front_door["authenticate"], "OnUnauthenticatedRequest": behaviour}
        elbv2.modify_rule(
            RuleArn=rule["RuleArn"],
            Actions=[
                {"Type": "authenticate-cognito", "Order": 1, "AuthenticateCognitoConfig": config},
                {"Type": "forward", "Order": 2, "TargetGroupArn": front_door["echo_group"]},
            ],
        )
        return client.get(f"{front_door['app_url']}/echo/open", headers={"x-amzn-oidc-identity": "forged"})

    try:
        denied = with_unauthenticated("deny")
        allowed = with_unauthenticated("allow")
    finally:
        with_unauthenticated("authenticate")

    assert denied.status == 401
    assert allowed.status == 200
    assert not any(name.startswith("x-amzn-oidc-") for name in json.loads(allowed.body)["headers"])


def test_a_target_group_without_registered_targets_answers_503(front_door):
    elbv2, target_group = front_door["elbv2"], front_door["echo_group"]
    registered = [
        d["Target"]
        for d in elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    ]
    client = browser(front_door)
    rule = next(
        r
        for r in elbv2.describe_rules(ListenerArn=front_door["listener_arn"])["Rules"]
        if r["Priority"] == "40"
    )
    elbv2.modify_rule(RuleArn=rule["RuleArn"], Actions=[{"Type": "forward", "TargetGroupArn": target_group}])
    elbv2.deregister_targets(TargetGroupArn=target_group, Targets=registered)
    try:
        empty = client.get(f"{front_door['app_url']}/echo/x")
    finally:
        elbv2.register_targets(TargetGroupArn=target_group, Targets=registered)
        elbv2.modify_rule(
            RuleArn=rule["RuleArn"],
            Actions=[
                {
                    "Type": "authenticate-cognito",
                    "Order": 1,
                    "AuthenticateCognitoConfig": front_door["authenticate"],
                },
                {"Type": "forward", "Order": 2, "TargetGroupArn": target_group},
            ],
        )

    assert empty.status == 503
