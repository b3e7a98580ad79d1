"""emulator/patches/ecr_manifest_digest.py: an image's digest is the sha256 of its manifest."""

import json

import boto3
from resolver_support import digest_of, manifest


def test_an_image_digest_is_the_sha256_of_its_manifest(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="app")
    body = manifest("one")
    pushed = ecr.put_image(repositoryName="app", imageManifest=body, imageTag="1.0")
    assert pushed["image"]["imageId"]["imageDigest"] == digest_of(body)


def test_two_image_indexes_get_two_digests(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="app")
    digests = set()
    for arch in ("amd64", "arm64"):
        index = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": [
                    {
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": digest_of(arch),
                        "size": 10,
                        "platform": {"architecture": arch, "os": "linux"},
                    }
                ],
            }
        )
        ecr.put_image(repositoryName="app", imageManifest=index, imageTag=arch)
        digests.add(digest_of(index))
    described = {d["imageDigest"] for d in ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert described == digests and len(digests) == 2
