import boto3


def test_the_emulator_answers_aws_calls_on_loopback(aws):
    assert aws.endpoint.startswith("http://127.0.0.1:")
    sts = boto3.client("sts")
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_a_reset_forgets_every_resource(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="forgotten")
    aws.reset()
    assert ecr.describe_repositories()["repositories"] == []
