"""The pieces of the local front door made through the emulator's API (machine clients, people's
tokens, subnets, target groups, a jwt-validation action), as the tests of the front door and
benchmarks/jwt_validation_latency.py need them."""

from __future__ import annotations

import base64
import json

from sceptre_fargate_cognito.local_env.data_plane.hosted_ui import secret_hash


def resource_server(idp, pool: str, identifier: str) -> None:
    """A resource server `identifier` in the pool, with the scopes read and write."""
    idp.create_resource_server(
        UserPoolId=pool,
        Identifier=identifier,
        Name=identifier,
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "read"},
            {"ScopeName": "write", "ScopeDescription": "write"},
        ],
    )


def pool_with_api(idp, name: str, domain: str) -> str:
    """A user pool with a hosted-UI domain and a resource server `api` (scopes read and write)."""
    pool = idp.create_user_pool(PoolName=name, UsernameAttributes=["email"])["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    resource_server(idp, pool, "api")
    return pool


def machine_client(idp, pool: str, name: str, scopes=("api/read",), **more) -> dict:
    """An app client with a secret and the client-credentials grant (its secret in the answer)."""
    return idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName=name,
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=list(scopes),
        AllowedOAuthFlowsUserPoolClient=True,
        **more,
    )["UserPoolClient"]


def client_credentials_token(ca_bundle: str, token_url: str, client_id: str, secret: str) -> str:
    """An access token from a token endpoint's client-credentials grant (the secret by HTTP Basic)."""
    from loopback_client import LoopbackClient

    answer = LoopbackClient(ca_bundle).post(
        token_url, {"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )
    assert answer.status == 200, answer.text
    return json.loads(answer.body)["access_token"]


def basic(client_id: str, secret: str) -> dict[str, str]:
    """The HTTP Basic Authorization header of a client at the token endpoint."""
    pair = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def person_tokens(idp, pool: str, client_id: str, secret: str, email: str, password: str) -> dict:
    """A person's tokens (IdToken, AccessToken, ...) from an app client with a secret: the user is
    made with a permanent password and signed in by ADMIN_USER_PASSWORD_AUTH."""
    idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    return idp.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": password,
            "SECRET_HASH": secret_hash(client_id, secret, email),
        },
    )["AuthenticationResult"]


def two_subnets(ec2, region: str) -> tuple[str, list[str]]:
    """A VPC and two subnets in two zones of `region`, as a load balancer needs."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


def forward_to(elbv2, vpc: str, name: str, port: int, order: int = 2, **group) -> dict:
    """A forward action (at `order`) to a new ip target group whose one target is 127.0.0.1:`port`."""
    arn = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", **group)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": port}])
    return {"Type": "forward", "Order": order, "TargetGroupArn": arn}


def access_token_check(issuer: str, client_ids: list[str], order: int = 1) -> dict:
    """A jwt-validation action as the alb-ecs template makes it: the pool's keys and issuer, an
    access token (`token_use`) of one of `client_ids`."""
    return {
        "Type": "jwt-validation",
        "Order": order,
        "JwtValidationConfig": {
            "JwksEndpoint": f"{issuer}/.well-known/jwks.json",
            "Issuer": issuer,
            "AdditionalClaims": [
                {"Format": "single-string", "Name": "token_use", "Values": ["access"]},
                {"Format": "single-string", "Name": "client_id", "Values": list(client_ids)},
            ],
        },
    }
