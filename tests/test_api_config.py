"""The `api` key (machine clients, docs/machine-clients.md) is checked with the rest of an
environment's config, before anything changes, each problem naming the key and the file."""

from __future__ import annotations

import pytest
from api_support import project_with_api
from test_environment_config import merged, run_sceptre

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.config_schema import ConfigError, validate
from sceptre_fargate_cognito.config_schema.validate import Source
from templates import ENVIRONMENTS

API = {
    "paths": ["/api/*"],
    "scopes": {"orders.read": "Read orders", "orders.write": "Create and change orders"},
    "clients": {"partnerSync": ["orders.read"], "nightly": ["orders.read", "orders.write"]},
}


def refused(environment: str = "dev", **api) -> str:
    with pytest.raises(ConfigError) as error:
        validate(merged(environment) | {"api": API | api}, environment=environment)
    assert f"environment '{environment}': fix config/{environment}/config.yaml" in str(error.value)
    return str(error.value)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_environment_configures_an_api_so_it_is_off_by_default(environment):
    assert merged(environment)["api"] == {}


def test_an_api_is_accepted_with_its_paths_split_into_listener_rules():
    settings = validate(merged("prod") | {"api": API}, environment="prod")["api"]
    assert settings == API | {"path_groups": [["/api/*"]]}


def test_a_client_may_name_one_scope_as_text():
    settings = validate(merged("dev") | {"api": API | {"clients": {"one": "orders.read"}}}, environment="dev")
    assert settings["api"]["clients"] == {"one": ["orders.read"]}


def test_a_scope_a_client_names_must_be_defined():
    message = refused(clients={"partnerSync": ["orders.read", "orders.delete"]})
    assert "clients: partnerSync names the scope orders.delete, which scopes does not define" in message
    assert "the scopes are orders.read, orders.write" in message


def test_a_client_without_scopes_is_refused():
    assert "clients: partnerSync needs a list of at least one of the scopes" in refused(
        clients={"partnerSync": []}
    )


def test_an_api_without_paths_scopes_or_clients_is_refused():
    assert "paths and clients missing or empty" in refused(paths=[], clients={})


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("api/*", "is not an ALB path pattern"),  # not from /
        ("/api/{id}", "is not an ALB path pattern"),  # braces: not an ALB path character
        ("/api/ x", "is not an ALB path pattern"),  # nor is a space
        ("/" + "a" * 128, "is not an ALB path pattern"),  # 129 characters
        ("/*/*/*/*/*/*", "has 6 wildcards; an ALB rule takes at most 5"),
    ],
)
def test_a_path_that_is_not_a_valid_alb_pattern_is_refused(path, reason):
    message = refused(paths=[path])
    assert "api is " in message and "(config/dev/config.yaml): paths:" in message
    assert reason in message


def test_every_character_the_alb_allows_in_a_path_pattern_is_accepted():
    path = "/A-Za-z0-9_-.$/~\"'@:+&*?"
    assert validate(merged("dev") | {"api": API | {"paths": [path]}}, environment="dev")["api"]["paths"] == [
        path
    ]
    assert rules.ALB_PATH_PATTERN.allows("/" + "a" * 127)


@pytest.mark.parametrize(
    "pattern, what",
    [
        ("/health*", "/healthz (the health path)"),
        ("/signed-out", "/signed-out (the signed-out page, signed_out_path)"),
        ("/oauth2/*", "/oauth2/idpresponse (the ALB's sign-in callback)"),
        ("/*", "/ (the application's home page"),
        ("/heal?h?", "/healthz (the health path)"),
    ],
)
def test_a_path_that_shadows_the_health_path_the_signed_out_page_or_the_sign_in_is_refused(pattern, what):
    assert f"api: the path pattern {pattern} matches {what}" in refused(paths=["/api/*", pattern])


def test_the_health_path_the_health_check_probes_is_protected_too():
    values = merged("dev") | {"health_check": {"health_path": "/status"}, "api": API | {"paths": ["/stat*"]}}
    with pytest.raises(ConfigError, match="matches /status \\(the health path\\)"):
        validate(values, environment="dev")


def test_path_patterns_are_case_sensitive_as_the_alb_compares_them():
    assert validate(merged("dev") | {"api": API | {"paths": ["/Healthz"]}}, environment="dev")
    assert not rules.alb_path_matches("/API/*", "/api/x")
    assert rules.alb_path_matches("/api/*", "/api/")
    assert rules.alb_path_matches("/api/*/items", "/api/a/b/items")


def test_paths_are_grouped_five_to_a_listener_rule_and_five_wildcards_to_a_rule():
    paths = [f"/v{n}/*" for n in range(7)]
    groups = validate(merged("dev") | {"api": API | {"paths": paths}}, environment="dev")["api"][
        "path_groups"
    ]
    assert groups == [paths[:5], paths[5:]]
    wild = ["/a/**", "/b/?*", "/c/**", "/d"]
    groups = validate(merged("dev") | {"api": API | {"paths": wild}}, environment="dev")["api"]["path_groups"]
    assert groups == [["/a/**", "/b/?*"], ["/c/**", "/d"]]


def test_more_paths_than_five_listener_rules_hold_are_refused_to_keep_the_template_within_its_limit():
    paths = [f"/v{n}" for n in range(5 * 5 + 1)]
    error = refused(paths=paths)
    assert "paths: 26 patterns need 6 listener rules" in error
    assert (
        "an api has at most 5, so that the alb-ecs template stays within CloudFormation's 51,200 bytes"
        in error
    )


@pytest.mark.parametrize("name", ["partner-sync", "9lives", "a" * 65, "with space"])
def test_a_client_name_must_be_letters_and_digits_for_its_logical_id(name):
    assert f"clients: {name!r} is not a client name of letters and digits" in refused(
        clients={name: ["orders.read"]}
    )


def test_more_scopes_than_an_api_defines_are_refused_to_keep_the_template_within_its_limit():
    scopes = {f"s{n}": "x" for n in range(17)}
    assert (
        "scopes: 17 scopes; an api defines at most 16, so that the cognito template stays within"
        in refused(scopes=scopes, clients={"one": list(scopes)})
    )


def test_client_names_that_differ_only_in_case_are_refused():
    assert "clients: nightly and Nightly differ only in case" in refused(
        clients={"nightly": ["orders.read"], "Nightly": ["orders.read"]}
    )


def test_more_clients_than_the_alb_checks_a_claim_against_are_refused():
    clients = {f"client{n}": ["orders.read"] for n in range(11)}
    assert "clients: 11 clients; the ALB checks a token's client_id against at most 10 values" in refused(
        clients=clients
    )


@pytest.mark.parametrize("scope", ["orders read", "orders/read", 'say"hi', "a" * 65])
def test_a_scope_name_cognito_would_refuse_is_refused(scope):
    assert f"scopes: {scope!r} is not a scope name" in refused(scopes={scope: "x"}, clients={"one": [scope]})


def test_a_scope_needs_a_description():
    assert "scopes: orders.read needs a description" in refused(scopes={"orders.read": None})


def test_a_scope_description_of_more_than_100_characters_is_refused():
    assert (
        "scopes: orders.read needs a description of what the scope allows (1 to 100 characters)"
        in refused(scopes={"orders.read": "x" * 101, "orders.write": "y"})
    )


def test_an_unknown_option_is_named_with_its_line():
    source = Source("config/dev/config.yaml", "region: eu-west-1\napi:\n  paths: [/api/*]\n  client: {}\n")
    with pytest.raises(ConfigError) as error:
        validate(merged("dev") | {"api": API | {"client": {}}}, environment="dev", sources=[source])
    assert "api: client (config/dev/config.yaml line 4) is not an option; did you mean `clients`?" in str(
        error.value
    )


def test_launch_with_an_undefined_scope_fails_before_any_aws_call_naming_the_key_and_the_file(tmp_path):
    broken = "\napi:\n  paths: [/api/*]\n  scopes: {orders.read: Read orders}\n  clients: {partnerSync: [orders.delete]}\n"
    result = run_sceptre(project_with_api(tmp_path, "prod", broken), "launch", "--yes", "prod")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "environment 'prod': fix config/prod/config.yaml" in output
    assert "clients: partnerSync names the scope orders.delete, which scopes does not define" in output
    assert "Could not connect" not in output and "EndpointConnectionError" not in output
