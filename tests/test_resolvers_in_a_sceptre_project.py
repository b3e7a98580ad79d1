"""Both resolvers as a user writes them: YAML tags in a Sceptre project, three stacks, one lookup each."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from resolver_support import (
    ACCOUNT,
    REGION,
    import_certificate,
    push_image,
)
from sceptre.config.reader import ConfigReader
from sceptre.context import SceptreContext

pytestmark = pytest.mark.usefixtures("fresh_resolvers")

STACK_CONFIG = """\
template:
  path: app.yaml
parameters:
  CertificateArn: !acm_certificate_arn app.example.com
  ImageUri: !ecr_image chat-app:1.4.2
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "app.yaml").write_text("Resources: {}\n")
    (tmp_path / "config" / "dev").mkdir(parents=True)
    (tmp_path / "config" / "config.yaml").write_text(f"project_code: resolvers\nregion: {REGION}\n")
    for name in ("web", "worker", "admin"):
        (tmp_path / "config" / "dev" / f"{name}.yaml").write_text(STACK_CONFIG)
    return tmp_path


def test_three_stacks_get_the_certificate_and_image_with_one_lookup_each(project, aws_calls):
    import boto3

    certificate = import_certificate(["*.example.com"])
    boto3.client("ecr").create_repository(repositoryName="chat-app")
    digest = push_image("chat-app", "1.4.2", "v1.4.2")

    _, stacks = ConfigReader(SceptreContext(str(project), "dev")).construct_stacks()
    assert len(stacks) == 3
    # Sceptre resolves stacks in parallel threads; so do we.
    with ThreadPoolExecutor(max_workers=3) as pool:
        parameters = list(pool.map(lambda stack: dict(stack.parameters), stacks))
    expected = {
        "CertificateArn": certificate,
        "ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/chat-app@{digest}",
    }
    assert parameters == [expected] * 3
    assert aws_calls[("acm", "list_certificates")] == 1
    assert aws_calls[("ecr", "describe_images")] == 1
