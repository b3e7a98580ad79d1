"""`webctl clients <env> ...` through the real console script, on the `local` environment launched
for real: it lists the user pool's machine clients (no secret), and prints an access token got
from the pool domain's token endpoint (the data plane's hosted UI, over real HTTPS) with the
client's secret read at that moment and never shown; refusals name the client and the way to list
them. The machine clients are made in the launched pool through the emulator's API."""

from __future__ import annotations

import json
import urllib.request

import jwt
import pytest
from front_door_support import machine_client, resource_server
from webctl_support import outputs, webctl


@pytest.fixture(scope="module")
def machine(launched_local):
    local = launched_local
    idp = local.client("cognito-idp")
    pool = outputs(local, "cognito")["UserPoolId"]
    resource_server(idp, pool, "tryout")
    made = {
        name: machine_client(idp, pool, name, scopes)
        for name, scopes in (("partner", ["tryout/read", "tryout/write"]), ("reporter", ["tryout/read"]))
    }
    try:
        yield {"local": local, "idp": idp, "pool": pool, "clients": made}
    finally:
        for client in made.values():
            idp.delete_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])
        # The resource server stays: moto 5.2.5 answers DeleteResourceServer with a 500, and
        # without its clients it changes nothing any other test sees.


def secrets(machine) -> list[str]:
    return [c["ClientSecret"] for c in machine["clients"].values()]


def assert_no_secret_in(machine, result) -> None:
    for secret in secrets(machine):
        assert secret not in result.stdout + result.stderr


def pool_keys(machine) -> jwt.PyJWKSet:
    local = machine["local"]
    region = local.client("cognito-idp").meta.region_name
    request = urllib.request.Request(
        f"{local.env['AWS_ENDPOINT_URL']}/{machine['pool']}/.well-known/jwks.json",
        headers={"Host": f"cognito-idp.{region}.amazonaws.com"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return jwt.PyJWKSet.from_dict(json.load(answer))


def test_list_shows_each_machine_client_with_its_id_and_scopes_and_never_a_secret(machine):
    result = webctl(machine["local"], "clients", "local", "list")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "CLIENT", "ID", "ALB", "SCOPES"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    # The launched config has no api: the cognito stack has no MachineClientIds, so the load
    # balancer accepts none of them.
    assert rows == {
        "partner": [machine["clients"]["partner"]["ClientId"], "no", "tryout/read", "tryout/write"],
        "reporter": [machine["clients"]["reporter"]["ClientId"], "no", "tryout/read"],
    }  # the browser's app client has no client-credentials grant: not listed
    assert lines[-1] == "2 machine clients in local"
    assert_no_secret_in(machine, result)


def test_token_prints_only_an_access_token_of_the_pool_for_that_client(machine):
    result = webctl(machine["local"], "clients", "local", "token", "partner")

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert "\n" not in token
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in pool_keys(machine).keys if k.key_id == kid)
    claims = jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})
    assert claims["client_id"] == machine["clients"]["partner"]["ClientId"]
    assert claims["token_use"] == "access" and claims["scope"] == "tryout/read tryout/write"
    assert claims["iss"].endswith("/" + machine["pool"])
    assert_no_secret_in(machine, result)


def test_token_of_a_client_the_load_balancer_does_not_accept_warns_on_stderr_saying_how_to_add_it(machine):
    result = webctl(machine["local"], "clients", "local", "token", "reporter")

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and jwt.decode(
        result.stdout.strip(), options={"verify_signature": False}
    )
    assert "the load balancer will refuse this token" in result.stderr
    assert "'reporter' is not among the machine clients of the cognito stack" in result.stderr
    assert "api.clients in config/local/config.yaml" in result.stderr
    assert_no_secret_in(machine, result)


def test_token_asks_for_the_scope_given(machine):
    result = webctl(machine["local"], "clients", "local", "token", "partner", "--scope", "tryout/write")

    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip(), options={"verify_signature": False})["scope"] == "tryout/write"


def test_an_unknown_client_is_refused_naming_it_the_clients_and_how_to_list_them(machine):
    result = webctl(machine["local"], "clients", "local", "token", "nobody")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "no machine client 'nobody'" in result.stderr
    assert "partner, reporter" in result.stderr
    assert "webctl clients local list" in result.stderr


def test_a_scope_the_client_is_not_allowed_is_refused_by_the_token_endpoint(machine):
    result = webctl(machine["local"], "clients", "local", "token", "reporter", "--scope", "tryout/write")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "invalid_scope" in result.stderr and "reporter" in result.stderr
    assert_no_secret_in(machine, result)
