"""emulator/patches/ecr_cross_account_registry.py: registryId reaches another account's registry."""

import boto3
import pytest
from botocore.exceptions import ClientError
from resolver_support import clients_for_account, digest_of, manifest

SHARED = "111122223333"


def test_an_image_in_a_shared_registry_is_found_through_its_registry_id(aws):
    shared_ecr = clients_for_account(SHARED)["session"].client("ecr")
    shared_ecr.create_repository(repositoryName="base")
    shared_ecr.put_image(repositoryName="base", imageManifest=manifest("base"), imageTag="2.0")

    ours = boto3.client("ecr")
    (detail,) = ours.describe_images(
        registryId=SHARED, repositoryName="base", imageIds=[{"imageTag": "2.0"}]
    )["imageDetails"]
    assert detail["registryId"] == SHARED
    assert detail["imageDigest"] == digest_of(manifest("base"))


def test_without_the_registry_id_the_shared_repository_is_not_ours(aws):
    clients_for_account(SHARED)["session"].client("ecr").create_repository(repositoryName="base")
    with pytest.raises(ClientError) as missing:
        boto3.client("ecr").describe_images(repositoryName="base")
    assert missing.value.response["Error"]["Code"] == "RepositoryNotFoundException"
