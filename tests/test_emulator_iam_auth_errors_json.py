"""emulator/patches/iam_auth_errors_json.py: a denied ACM/ECR call says AccessDeniedException."""

import boto3
import pytest
from botocore.exceptions import ClientError
from resolver_support import set_auth


@pytest.fixture
def user_allowed_nothing(aws):
    iam = boto3.client("iam")
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    set_auth(aws, "0")
    try:
        yield boto3.Session(
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
            aws_session_token="",
        )
    finally:
        set_auth(aws, "inf")


@pytest.mark.parametrize("service, call", [("acm", "list_certificates"), ("ecr", "describe_repositories")])
def test_a_denied_json_call_answers_access_denied_exception_with_its_message(
    user_allowed_nothing, service, call
):
    client = user_allowed_nothing.client(service)
    with pytest.raises(ClientError) as denied:
        getattr(client, call)()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "user/nobody is not authorized to perform" in denied.value.response["Error"]["Message"]
