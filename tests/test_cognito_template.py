"""The cognito stack as each environment deploys it: users kept safe and never deleted."""

from __future__ import annotations

import json

import pytest
from cfn_values import Template
from test_environment_config import merged

from templates import ENVIRONMENTS, stack_parameters, template

pytestmark = pytest.mark.parametrize("environment", ENVIRONMENTS)


def cognito(environment: str) -> Template:
    return Template(template(environment, "cognito"), stack_parameters(environment, "cognito"))


def test_no_template_change_can_delete_the_users(environment):
    pool = cognito(environment).raw["Resources"]["UserPool"]
    assert pool["DeletionPolicy"] in ("Retain", "RetainExceptOnCreate")
    assert pool["UpdateReplacePolicy"] == "Retain"


def test_a_failed_first_create_leaves_no_orphan_user_pool(environment):
    # Plain Retain would keep the empty pool of every failed first create.
    assert cognito(environment).raw["Resources"]["UserPool"]["DeletionPolicy"] == "RetainExceptOnCreate"


def test_passwords_are_long_and_mixed(environment):
    policy = cognito(environment).properties("UserPool")["Policies"]["PasswordPolicy"]
    assert int(policy["MinimumLength"]) >= 12
    assert all(
        policy[k] is True
        for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )


def test_mfa_follows_the_environment_with_totp(environment):
    t = cognito(environment)
    pool = t.properties("UserPool")
    expected = merged(environment)["cognito_mfa"]
    assert pool["MfaConfiguration"] == expected
    if expected != "OFF":
        assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    if environment == "prod":
        assert expected == "ON"


def test_users_sign_in_with_email_and_cannot_sign_themselves_up(environment):
    pool = cognito(environment).properties("UserPool")
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_deletion_protection_is_on_in_prod(environment):
    pool = cognito(environment).properties("UserPool")
    assert pool["DeletionProtection"] == (
        "ACTIVE" if merged(environment)["deletion_protection"] else "INACTIVE"
    )
    if environment == "prod":
        assert pool["DeletionProtection"] == "ACTIVE"


def test_the_alb_client_uses_the_code_grant_with_a_secret_and_returns_to_the_alb(environment):
    t = cognito(environment)
    client = t.properties("UserPoolClient")
    domain = merged(environment)["domain_name"]
    assert client["GenerateSecret"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email"}
    assert client["CallbackURLs"] == [{"Fn::Sub": "https://${DomainName}${UrlPortSuffix}/oauth2/idpresponse"}]
    assert t.parameters["DomainName"] == domain
    port = merged(environment)["local_https_port"]
    if environment == "local":
        # Registered exactly as local serves it: the loopback port, and the hosted UI on *.localhost.
        assert port and t.parameters["UrlPortSuffix"] == f":{port}"
        assert t.parameters["HostedUiDomainSuffix"] == f"localhost:{port}"
    else:
        # On AWS the template's defaults hold: no port, the hosted UI at amazoncognito.com.
        assert port == 0
        assert "UrlPortSuffix" not in stack_parameters(environment, "cognito")
        assert (t.parameters["UrlPortSuffix"], t.parameters["HostedUiDomainSuffix"]) == (
            "",
            "amazoncognito.com",
        )
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_only_sign_out_url_is_the_signed_out_page_of_the_environment(environment):
    # Cognito's /logout returns only to a registered URL; the alb-ecs stack serves that page
    # without sign-in (test_alb_ecs_template) and gives the application the URL that returns there.
    t = cognito(environment)
    assert t.properties("UserPoolClient")["LogoutURLs"] == [
        {"Fn::Sub": "https://${DomainName}${UrlPortSuffix}${SignedOutPath}"}
    ]
    assert t.parameters["SignedOutPath"] == merged(environment)["signed_out_path"] == "/signed-out"
    assert stack_parameters(environment, "alb-ecs")["SignedOutPath"] == t.parameters["SignedOutPath"]


def test_the_hosted_ui_domain_is_unique_per_account_and_region(environment):
    domain = cognito(environment).properties("UserPoolDomain")["Domain"]
    assert "${AWS::AccountId}" in domain["Fn::Sub"]


def test_the_client_secret_is_never_an_output(environment):
    outputs = json.dumps(cognito(environment).raw["Outputs"])
    assert "ClientSecret" not in outputs
    assert set(cognito(environment).raw["Outputs"]) == {
        "UserPoolArn",
        "UserPoolId",
        "UserPoolClientId",
        "UserPoolDomain",
        "HostedUiDomain",
    }


def test_outputs_are_exported_under_project_and_environment(environment):
    t = cognito(environment)
    for name, output in t.raw["Outputs"].items():
        assert output["Export"]["Name"] == {"Fn::Sub": f"${{ExportPrefix}}-{name}"}
    assert t.parameters["ExportPrefix"] == f"webapp-{environment}"


def test_the_sign_in_pages_are_the_pinned_classic_hosted_ui_unless_the_environment_asks_for_managed_login(
    environment,
):
    t = cognito(environment)
    managed = merged(environment)["cognito_managed_login"]
    assert t.properties("UserPoolDomain")["ManagedLoginVersion"] == (2 if managed else 1)
    assert bool(t.resources("AWS::Cognito::ManagedLoginBranding")) is managed


def test_managed_login_brings_the_branding_its_pages_need(environment):
    managed = Template(
        template(environment, "cognito"), stack_parameters(environment, "cognito") | {"ManagedLogin": "true"}
    )
    assert managed.properties("UserPoolDomain")["ManagedLoginVersion"] == 2
    ((_, branding),) = [
        (k, managed.properties(k)) for k in managed.resources("AWS::Cognito::ManagedLoginBranding")
    ]
    assert branding == {
        "UserPoolId": {"Ref": "UserPool"},
        "ClientId": {"Ref": "UserPoolClient"},
        "UseCognitoProvidedValues": True,
    }


def test_invitations_come_from_cognitos_default_sender_with_its_own_text_unless_ses_is_configured(
    environment,
):
    pool = cognito(environment).properties("UserPool")
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    # The default sender refuses a custom invitation (EmailConfigurationType): none is set.
    assert "InviteMessageTemplate" not in pool["AdminCreateUserConfig"]


SES = {"InvitationEmailFrom": "Example App <no-reply@example.com>", "InvitationSesIdentity": "example.com"}


def test_with_an_ses_identity_the_invitation_is_sent_through_it_and_names_the_application(environment):
    t = Template(template(environment, "cognito"), stack_parameters(environment, "cognito") | SES)
    pool = t.properties("UserPool")
    domain = t.parameters["DomainName"]
    # On local the application is served on the data plane's port, and the invitation names it.
    url = f"https://{domain}{t.parameters['UrlPortSuffix']}/"

    assert pool["EmailConfiguration"] == {
        "EmailSendingAccount": "DEVELOPER",
        "From": "Example App <no-reply@example.com>",
        "SourceArn": {
            "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${InvitationSesIdentity}"
        },
    }
    invitation = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]
    subject, message = (
        invitation[k]["Fn::Sub"]
        .replace("${DomainName}", domain)
        .replace("${UrlPortSuffix}", t.parameters["UrlPortSuffix"])
        for k in ("EmailSubject", "EmailMessage")
    )
    assert subject == f"Your invitation to {domain}"
    for needed in ("{username}", "{####}", f'href="{url}"', "valid for 3 days"):
        assert needed in message
    days = t.properties("UserPool")["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"]
    assert f"valid for\n{days} days" in message or f"valid for {days} days" in message.replace("\n", " ")


def test_an_ses_identity_in_another_region_is_used_by_its_arn(environment):
    arn = "arn:aws:ses:us-east-1:111122223333:identity/example.com"
    parameters = stack_parameters(environment, "cognito") | SES | {"InvitationSesIdentityArn": arn}
    pool = Template(template(environment, "cognito"), parameters).properties("UserPool")
    assert pool["EmailConfiguration"]["SourceArn"] == arn
