"""The sign-in contract as each environment's templates give it to the application (issue 19):
AUTH_SIGN_OUT_URL, AUTH_SIGNER_ARN and AUTH_PUBLIC_KEYS_URL in the app container, the sign-out
URL returning to the signed-out page registered on the app client, and the keys that set them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from cfn_values import Template
from test_alb_ecs_template import alb_ecs, container, one
from test_environment_config import merged

from sceptre_fargate_cognito.config_schema import ConfigError, validate
from templates import ENVIRONMENTS, stack_parameters, template

each_environment = pytest.mark.parametrize("environment", ENVIRONMENTS)
AUTH_NAMES = {"AUTH_SIGN_OUT_URL", "AUTH_SIGNER_ARN", "AUTH_PUBLIC_KEYS_URL"}
# What only AWS knows when the template is generated: the cognito stack's outputs.
POOL_DOMAIN, CLIENT_ID = "webapp-prod-111122223333", "4example5client6id"


def sub(node, t: Template, **known) -> str:
    """Fn::Sub evaluated over the template's parameters and `known` (pseudo parameters, outputs)."""
    text, variables = (node["Fn::Sub"], {}) if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"]
    values = {**{k: v for k, v in t.parameters.items() if isinstance(v, str)}, **known}
    values |= {name: t.value(value) for name, value in variables.items()}
    return re.sub(r"\$\{([\w:]+)\}", lambda m: values[m.group(1)], text)


def app_environment(t: Template, name: str = "app") -> dict:
    _, task = one(t, "AWS::ECS::TaskDefinition")
    return {item["Name"]: item["Value"] for item in container(task, name)["Environment"]}


def served_at(environment: str) -> tuple[str, str]:
    """(the app's host[:port], the hosted UI's suffix): on AWS the domain and amazoncognito.com;
    on local the data plane's loopback port on both (local_https_port)."""
    port = merged(environment)["local_https_port"]
    domain = merged(environment)["domain_name"]
    return (f"{domain}:{port}", f"localhost:{port}") if port else (domain, "amazoncognito.com")


def cognito_logout_urls(environment: str) -> list[str]:
    t = Template(template(environment, "cognito"), stack_parameters(environment, "cognito"))
    return [sub(url, t) for url in t.properties("UserPoolClient")["LogoutURLs"]]


@each_environment
def test_the_app_container_gets_the_sign_in_contract_and_the_init_container_does_not(environment):
    t = alb_ecs(environment)
    assert set(app_environment(t)) >= AUTH_NAMES
    _, task = one(t, "AWS::ECS::TaskDefinition")
    assert not AUTH_NAMES & {
        item["Name"] for item in container(task, "prepare-volumes").get("Environment", [])
    }


@each_environment
def test_the_sign_out_url_is_cognitos_logout_for_this_client_returning_to_the_registered_signed_out_page(
    environment,
):
    t = alb_ecs(environment)
    region = merged(environment)["region"]
    url = sub(
        app_environment(t)["AUTH_SIGN_OUT_URL"],
        t,
        UserPoolDomain=POOL_DOMAIN,
        UserPoolClientId=CLIENT_ID,
        **{"AWS::Region": region},
    )
    parts = urlsplit(url)
    app, hosted_ui_suffix = served_at(environment)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        f"{POOL_DOMAIN}.auth.{region}.{hosted_ui_suffix}",
        "/logout",
    )
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {
        "client_id": [CLIENT_ID],
        "logout_uri": [f"https://{app}{merged(environment)['signed_out_path']}"],
    }
    # Exactly one of the client's sign-out URLs, as Cognito's /logout requires, and fully encoded.
    assert query["logout_uri"] == cognito_logout_urls(environment)
    assert "/" not in url.split("logout_uri=")[1]
    # The stack's parameters come from the cognito stack, as the ALB's sign-in does.
    for name in ("UserPoolDomain", "UserPoolClientId"):
        assert (
            stack_parameters(environment, "alb-ecs")[name].argument == f"{environment}/cognito.yaml::{name}"
        )


@each_environment
def test_a_deeper_signed_out_path_is_encoded_whole(environment):
    t = alb_ecs(environment, SignedOutPath="/account/signed-out.html")
    url = sub(
        app_environment(t)["AUTH_SIGN_OUT_URL"],
        t,
        UserPoolDomain="d",
        UserPoolClientId="c",
        **{"AWS::Region": "r"},
    )
    app = served_at(environment)[0].replace(":", "%3A")
    assert url.endswith("&logout_uri=https%3A%2F%2F" + app + "%2Faccount%2Fsigned-out.html")


@each_environment
def test_the_signer_is_this_load_balancer(environment):
    t = alb_ecs(environment)
    assert app_environment(t)["AUTH_SIGNER_ARN"] == {"Ref": "LoadBalancer"}  # Ref of an ALB is its ARN
    assert t.raw["Resources"]["LoadBalancer"]["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_on_aws_the_public_keys_are_awss_regional_key_server(environment):
    region = merged(environment)["region"]
    assert merged(environment)["auth_public_keys_url"] == ""
    t = Template(template(environment, "alb-ecs"), stack_parameters(environment, "alb-ecs"), region=region)
    url = sub(app_environment(t)["AUTH_PUBLIC_KEYS_URL"], t, **{"AWS::Region": region})
    assert url == f"https://public-keys.auth.elb.{region}.amazonaws.com"


def test_in_govcloud_the_public_keys_are_where_aws_documents_them():
    t = Template(
        template("prod", "alb-ecs"),
        stack_parameters("prod", "alb-ecs"),
        region="us-gov-west-1",
        partition="aws-us-gov",
    )
    url = sub(app_environment(t)["AUTH_PUBLIC_KEYS_URL"], t, **{"AWS::Region": "us-gov-west-1"})
    assert url == "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1"


@each_environment
def test_auth_public_keys_url_replaces_awss_key_server(environment):
    t = alb_ecs(environment, AuthPublicKeysUrl="http://127.0.0.1:8765/keys")
    assert app_environment(t)["AUTH_PUBLIC_KEYS_URL"] == "http://127.0.0.1:8765/keys"
    assert (
        stack_parameters(environment, "alb-ecs")["AuthPublicKeysUrl"]
        == merged(environment)["auth_public_keys_url"]
    )


# ---------------------------------------------------------------- the keys, checked at config time


def invalid(**change) -> str:
    with pytest.raises(ConfigError) as error:
        validate(merged("dev") | change, environment="dev")
    return str(error.value)


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", "signed_out_path is '/' (config/dev/config.yaml): expected an absolute path"),
        ("signed-out", "expected an absolute path such as /signed-out"),
        ("/signed-out/", "expected an absolute path"),
        ("/signed*", "expected an absolute path"),
        ("/a b", "expected an absolute path"),
        ("/" + "a" * 128, "at most 128 characters"),
        ("/oauth2/idpresponse", "/oauth2/idpresponse is the ALB's sign-in callback"),
        ("/healthz", "signed_out_path /healthz is the health path"),
    ],
)
def test_a_signed_out_path_that_is_no_page_of_its_own_is_refused(path, expected):
    assert expected in invalid(signed_out_path=path)


def test_the_signed_out_path_may_not_be_the_path_the_health_check_probes():
    message = invalid(signed_out_path="/ping", health_check={"health_path": "/ping"})
    assert "signed_out_path /ping is the health path" in message


def test_a_signed_out_path_of_its_own_is_accepted():
    assert validate(merged("dev") | {"signed_out_path": "/bye/now.html"}, environment="dev")[
        "signed_out_path"
    ] == ("/bye/now.html")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://keys.example.com/", "expected an https:// URL without a trailing slash"),
        ("https://keys.example.com/alb?x=1", "expected an https:// URL without a trailing slash"),
        ("ftp://keys.example.com", "expected an https:// URL"),
        ("http://keys.example.com", "keys fetched over http:// from keys.example.com could be forged"),
    ],
)
def test_a_public_keys_url_that_could_not_be_trusted_is_refused(url, expected):
    assert expected in invalid(auth_public_keys_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://keys.example.com/alb",
        "http://127.0.0.1:4443",
        "http://localhost:8080/keys",
        "http://alb.localhost:1",
    ],
)
def test_a_public_keys_url_over_https_or_on_loopback_is_accepted(url):
    assert (
        validate(merged("dev") | {"auth_public_keys_url": url}, environment="dev")["auth_public_keys_url"]
        == url
    )


@pytest.mark.parametrize("name", sorted(AUTH_NAMES) + ["AUTH_ANYTHING"])
def test_auth_names_are_the_platforms_and_refused_in_app_environment_and_app_secrets(name):
    expected = f"{name}: names starting with AUTH_ are the platform's sign-in contract"
    assert expected in invalid(app_environment={name: "x"})
    assert expected in invalid(app_secrets={name: "/webapp/dev/x"})
