"""emulator/patches/ecr_layer_download.py: an uploaded blob can be downloaded again, as from ECR."""

import json
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from sceptre_fargate_cognito.local_env.seed import upload_blob


def test_an_uploaded_config_blob_is_served_at_its_download_url(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="team/app")
    config = json.dumps({"architecture": "arm64", "os": "linux"}).encode()
    digest = upload_blob(ecr, "team/app", config)

    url = ecr.get_download_url_for_layer(repositoryName="team/app", layerDigest=digest)["downloadUrl"]
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == config


def test_a_blob_never_uploaded_is_layers_not_found(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as raised:
        ecr.get_download_url_for_layer(repositoryName="app", layerDigest="sha256:" + "0" * 64)
    assert raised.value.response["Error"]["Code"] == "LayersNotFoundException"
