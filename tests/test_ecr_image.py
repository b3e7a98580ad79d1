"""!ecr_image against the emulator's ECR, through real Sceptre stacks."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from resolver_support import (
    ACCOUNT,
    REGION,
    clients_for_account,
    digest_of,
    make_stack,
    manifest,
    moto_api,
    push_image,
)
from sceptre.exceptions import InvalidResolverArgumentError

from sceptre_fargate_cognito.local_env.seed import push_image_with_config
from sceptre_fargate_cognito.plugin_base.errors import ResolverError
from sceptre_fargate_cognito.resolvers.ecr_image import EcrImage

pytestmark = pytest.mark.usefixtures("fresh_resolvers")
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def resolve(argument, **stack_settings):
    stack = make_stack(parameters={"ImageUri": EcrImage(argument)}, **stack_settings)
    return stack.parameters["ImageUri"]


def failure(argument, **stack_settings) -> str:
    with pytest.raises(ResolverError) as failed:
        resolve(argument, **stack_settings)
    return str(failed.value)


@pytest.fixture
def ecr():
    client = boto3.client("ecr")
    client.create_repository(repositoryName="chat-app")
    return client


# Tags and digests


def test_a_tag_resolves_to_the_image_pinned_by_its_digest(ecr):
    digest = push_image("chat-app", "1.4.2", "v1.4.2")
    push_image("chat-app", "1.4.1", "v1.4.1")
    assert resolve("chat-app:1.4.2") == f"{REGISTRY}/chat-app@{digest}"


def test_the_dict_form_with_a_tag_gives_the_same_answer(ecr):
    digest = push_image("chat-app", "1.4.2", "v1.4.2")
    assert resolve({"repository": "chat-app", "tag": "1.4.2"}) == f"{REGISTRY}/chat-app@{digest}"


def test_a_moved_tag_resolves_to_its_new_digest_in_the_next_run(ecr):
    from sceptre_fargate_cognito.aws_lookup import clear_cache

    first = push_image("chat-app", "stable", "one")
    assert resolve("chat-app:stable").endswith(first)
    second = push_image("chat-app", "stable", "two")
    clear_cache()  # a new `sceptre` run
    assert resolve("chat-app:stable").endswith(second) and first != second


def test_a_repository_under_a_namespace_works(ecr):
    ecr.create_repository(repositoryName="team/chat-app")
    digest = push_image("team/chat-app", "2.0", "team")
    assert resolve("team/chat-app:2.0") == f"{REGISTRY}/team/chat-app@{digest}"


def test_a_digest_that_exists_resolves_to_itself(ecr):
    digest = push_image("chat-app", "1.4.2", "v1.4.2")
    assert resolve(f"chat-app@{digest}") == f"{REGISTRY}/chat-app@{digest}"
    assert resolve({"repository": "chat-app", "digest": digest}) == f"{REGISTRY}/chat-app@{digest}"


def test_a_digest_that_does_not_exist_is_refused_with_the_tags_that_do(ecr):
    push_image("chat-app", "1.4.2", "v1.4.2")
    absent = digest_of("never pushed")
    message = failure(f"chat-app@{absent}")
    assert f"has no image with digest {absent}" in message
    assert "Most recently pushed tags: 1.4.2." in message


# Missing repository or tag


def test_a_missing_repository_is_named_with_its_region_and_registry(ecr):
    message = failure("chat-ap:1.4.2")
    assert "there is no repository chat-ap in registry (this account), region eu-west-1" in message
    assert message.startswith("dev/alb-ecs - !ecr_image:")


def test_a_missing_tag_is_named_with_the_five_most_recently_pushed_tags(ecr):
    for old in ("0.9", "1.0"):
        push_image("chat-app", old, old)
    time.sleep(1.1)  # ECR records push times to the second
    for new in ("1.1", "1.2", "1.3", "1.4", "1.5"):
        push_image("chat-app", new, new)
    message = failure("chat-app:2.0")
    assert (
        "repository chat-app (registry (this account), region eu-west-1) has no image with tag 2.0" in message
    )
    listed = message.split("Most recently pushed tags: ")[1].rstrip(".").split(", ")
    assert sorted(listed) == ["1.1", "1.2", "1.3", "1.4", "1.5"]


def test_a_missing_tag_in_a_repository_without_tags_says_so(ecr):
    assert "It has no tagged images." in failure("chat-app:1.0")


# Multi-arch images


def push_index(repository: str, tag: str, platforms: dict) -> str:
    """Pushes each platform image untagged, then the index that lists them under the tag."""
    entries = []
    for arch, seed in platforms.items():
        body = manifest(seed)
        boto3.client("ecr").put_image(repositoryName=repository, imageManifest=body)
        entries.append(
            {
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "digest": digest_of(body),
                "size": len(body),
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
            "manifests": entries,
        }
    )
    boto3.client("ecr").put_image(repositoryName=repository, imageManifest=index, imageTag=tag)
    return digest_of(index)


def test_a_multi_arch_tag_resolves_to_the_digest_of_its_index(ecr):
    index = push_index("chat-app", "1.4.2", {"amd64": "amd", "arm64": "arm"})
    assert resolve("chat-app:1.4.2") == f"{REGISTRY}/chat-app@{index}"
    assert index not in (digest_of(manifest("amd")), digest_of(manifest("arm")))


# The architecture


def push_oci_index(repository: str, tag: str, architectures: list[str]) -> str:
    """An OCI image index as buildx pushes it: one image per architecture, each with its provenance
    attestation listed as an unknown/unknown entry."""
    entries = []
    for arch in architectures:
        for kind in ("image", "attestation"):
            body = manifest(f"{arch} {kind}")
            boto3.client("ecr").put_image(repositoryName=repository, imageManifest=body)
            entry = {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest_of(body),
                "size": len(body),
                "platform": {"architecture": arch, "os": "linux"},
            }
            if kind == "attestation":
                entry["platform"] = {"architecture": "unknown", "os": "unknown"}
                entry["annotations"] = {"vnd.docker.reference.type": "attestation-manifest"}
            entries.append(entry)
    index = json.dumps(
        {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
    )
    boto3.client("ecr").put_image(repositoryName=repository, imageManifest=index, imageTag=tag)
    return digest_of(index)


def test_an_arm64_only_image_is_refused_for_x86_64_naming_the_platform_it_has(ecr):
    push_oci_index("chat-app", "1.4.2", ["arm64"])

    message = failure({"repository": "chat-app", "tag": "1.4.2", "architecture": "X86_64"})

    assert "chat-app:1.4.2 (sha256:" in message
    assert "has no linux/amd64 image, which architecture X86_64 needs; it has linux/arm64." in message
    assert "unknown" not in message  # the attestation is not a platform


def test_an_arm64_only_image_resolves_to_its_index_for_arm64(ecr):
    index = push_oci_index("chat-app", "1.4.2", ["arm64"])
    assert resolve({"repository": "chat-app", "tag": "1.4.2", "architecture": "ARM64"}) == (
        f"{REGISTRY}/chat-app@{index}"
    )


@pytest.mark.parametrize("architecture", ["X86_64", "ARM64"])
def test_a_multi_arch_image_resolves_to_its_index_digest_for_either_architecture(architecture, ecr):
    index = push_oci_index("chat-app", "1.4.2", ["amd64", "arm64"])
    assert resolve({"repository": "chat-app", "tag": "1.4.2", "architecture": architecture}) == (
        f"{REGISTRY}/chat-app@{index}"
    )


def test_a_docker_manifest_list_is_read_like_an_oci_index(ecr):
    push_index("chat-app", "1.4.2", {"arm64": "arm"})
    assert "it has linux/arm64" in failure(
        {"repository": "chat-app", "tag": "1.4.2", "architecture": "X86_64"}
    )


def test_a_single_image_whose_config_says_another_architecture_is_refused(ecr):
    push_image_with_config("chat-app", "1.4.2", "arm64 build", architecture="arm64")
    message = failure({"repository": "chat-app", "tag": "1.4.2", "architecture": "X86_64"})
    assert "has no linux/amd64 image, which architecture X86_64 needs; it has linux/arm64." in message


def test_a_single_image_whose_config_matches_resolves_to_its_digest(ecr):
    digest = push_image_with_config("chat-app", "1.4.2", "amd64 build", architecture="amd64")
    assert resolve({"repository": "chat-app", "tag": "1.4.2", "architecture": "X86_64"}).endswith(digest)


def test_a_single_image_whose_config_cannot_be_read_is_accepted_saying_it_was_not_verified(ecr, caplog):
    digest = push_image("chat-app", "1.4.2", "no config uploaded")
    assert resolve({"repository": "chat-app", "tag": "1.4.2", "architecture": "ARM64"}).endswith(digest)
    assert "could not verify the architecture of chat-app" in caplog.text
    assert "LayersNotFoundException" in caplog.text


# The severity gate


def seed_scan(emulator, digest: str, counts: dict | None, status: str = "COMPLETE") -> None:
    """A scan result for the image, as ECR would report it once its scan is done."""
    boto3.client("ecr").start_image_scan(repositoryName="chat-app", imageId={"imageDigest": digest})
    result = {
        "registryId": ACCOUNT,
        "repositoryName": "chat-app",
        # moto hands a seeded result without imageTag to the first untagged image asked about
        # (None == None); a tag no image has keeps it for the image with this digest.
        "imageId": {"imageDigest": digest, "imageTag": "match-by-digest"},
        "imageScanStatus": {"status": status, "description": f"scan {status.lower()}"},
    }
    if counts is not None:
        result["imageScanFindings"] = {"findingSeverityCounts": counts, "findings": []}
    moto_api(emulator, "static/ecr/scan-finding-results", {"results": [result], "region": REGION})


def test_an_image_with_findings_below_the_gate_is_accepted(aws, ecr):
    digest = push_image("chat-app", "1.4.2", "ok")
    seed_scan(aws, digest, {"MEDIUM": 4, "LOW": 9})
    assert resolve({"repository": "chat-app", "tag": "1.4.2", "max_severity": "HIGH"}).endswith(digest)


def test_an_image_with_findings_at_or_above_the_gate_is_refused_naming_the_counts(aws, ecr):
    digest = push_image("chat-app", "1.4.2", "bad")
    seed_scan(aws, digest, {"CRITICAL": 1, "HIGH": 3, "MEDIUM": 5})
    message = failure({"repository": "chat-app", "tag": "1.4.2", "max_severity": "high"})
    assert f"chat-app@{digest} has findings at or above max_severity HIGH: CRITICAL 1, HIGH 3" in message
    assert "(all findings: CRITICAL 1, HIGH 3, MEDIUM 5)" in message


def test_a_finding_exactly_at_the_gate_is_refused(aws, ecr):
    digest = push_image("chat-app", "1.4.2", "medium")
    seed_scan(aws, digest, {"MEDIUM": 1})
    assert "MEDIUM 1" in failure({"repository": "chat-app", "tag": "1.4.2", "max_severity": "MEDIUM"})


def test_an_image_never_scanned_is_refused_saying_so(ecr):
    digest = push_image("chat-app", "1.4.2", "unscanned")
    message = failure({"repository": "chat-app", "tag": "1.4.2", "max_severity": "CRITICAL"})
    assert f"chat-app@{digest} has no scan, and max_severity CRITICAL needs a completed one" in message


def test_an_image_whose_scan_is_still_running_is_refused_saying_so(aws, ecr):
    digest = push_image("chat-app", "1.4.2", "scanning")
    seed_scan(aws, digest, None, status="IN_PROGRESS")
    message = failure({"repository": "chat-app", "tag": "1.4.2", "max_severity": "HIGH"})
    assert "has no completed scan (status IN_PROGRESS" in message


def test_without_a_gate_findings_do_not_matter(aws, ecr):
    digest = push_image("chat-app", "1.4.2", "bad")
    seed_scan(aws, digest, {"CRITICAL": 2})
    assert resolve("chat-app:1.4.2").endswith(digest)


def test_the_gate_checks_every_platform_of_a_multi_arch_image(aws, ecr):
    index = push_index("chat-app", "1.4.2", {"amd64": "amd", "arm64": "arm"})
    seed_scan(aws, digest_of(manifest("amd")), {"LOW": 1})
    seed_scan(aws, digest_of(manifest("arm")), {"CRITICAL": 1})
    message = failure({"repository": "chat-app", "tag": "1.4.2", "max_severity": "HIGH"})
    assert (
        f"chat-app@{digest_of(manifest('arm'))} has findings at or above max_severity HIGH: CRITICAL 1"
        in message
    )
    assert index not in message


def test_the_architecture_check_and_the_gate_read_the_manifest_once(aws, ecr, aws_calls):
    index = push_index("chat-app", "1.4.2", {"amd64": "amd", "arm64": "arm"})
    for platform in ("amd", "arm"):
        seed_scan(aws, digest_of(manifest(platform)), {"LOW": 1})
    argument = {"repository": "chat-app", "tag": "1.4.2", "architecture": "ARM64", "max_severity": "HIGH"}
    assert resolve(argument) == f"{REGISTRY}/chat-app@{index}"
    assert aws_calls[("ecr", "batch_get_image")] == 1
    assert aws_calls[("ecr", "describe_image_scan_findings")] == 2


# Registry, region, role


def test_a_registry_id_reaches_an_image_in_another_account_with_the_stacks_credentials(aws_calls):
    shared = "111122223333"
    shared_ecr = clients_for_account(shared)["session"].client("ecr")
    shared_ecr.create_repository(repositoryName="base/python")
    digest = push_image("base/python", "3.12", "python", client=shared_ecr)
    uri = resolve({"repository": "base/python", "tag": "3.12", "registry_id": shared})
    assert uri == f"{shared}.dkr.ecr.{REGION}.amazonaws.com/base/python@{digest}"
    assert ("sts", "assume_role") not in aws_calls


def test_an_unquoted_registry_id_keeps_its_leading_zeros(aws):
    shared = "012345678901"
    shared_ecr = clients_for_account(shared)["session"].client("ecr")
    shared_ecr.create_repository(repositoryName="base")
    push_image("base", "1", "base", client=shared_ecr)
    assert resolve({"repository": "base", "tag": "1", "registry_id": 12345678901}).startswith(
        f"{shared}.dkr.ecr."
    )


def test_the_region_in_the_argument_overrides_the_stacks():
    virginia = boto3.client("ecr", region_name="us-east-1")
    virginia.create_repository(repositoryName="chat-app")
    digest = push_image("chat-app", "1.4.2", "east", client=virginia)
    uri = resolve({"repository": "chat-app", "tag": "1.4.2", "region": "us-east-1"}, region=REGION)
    assert uri == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/chat-app@{digest}"


def test_the_region_is_the_stacks(ecr):
    assert "region us-east-1" in failure("chat-app:1.4.2", region="us-east-1")


def test_the_sceptre_role_in_the_argument_is_assumed():
    other = "210987654321"
    their_ecr = clients_for_account(other)["session"].client("ecr")
    their_ecr.create_repository(repositoryName="chat-app")
    digest = push_image("chat-app", "1.4.2", "theirs", client=their_ecr)
    uri = resolve(
        {"repository": "chat-app", "tag": "1.4.2", "sceptre_role": f"arn:aws:iam::{other}:role/deployer"}
    )
    assert uri == f"{other}.dkr.ecr.{REGION}.amazonaws.com/chat-app@{digest}"


def test_the_china_regions_use_their_own_domain():
    from sceptre_fargate_cognito.resolvers.ecr_image import image_uri

    assert image_uri("123456789012", "cn-north-1", "app", "sha256:x") == (
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:x"
    )


# Arguments

A_DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "argument, problem",
    [
        ("chat-app", "names no tag or digest"),
        ("Chat_App:1.0", "is not an ECR repository name"),
        ("chat-app:", "is not an image tag"),
        ("chat-app:bad tag", "is not an image tag"),
        ("chat-app@sha256:1234", "is not a digest like sha256:"),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/chat-app:1.0", "looks like a full image URI"),
        (7, "expected a string or a dict"),
        ({"tag": "1.0"}, "missing repository"),
        ({"repository": "chat-app"}, "missing tag or digest"),
        ({"repository": "chat-app", "tag": "1.0", "digest": A_DIGEST}, "a tag or a digest, not both"),
        ({"repository": "chat-app", "tag": 1.4}, "tag must be a string, not float 1.4 (quote it in YAML)"),
        ({"repository": "chat-app", "tag": "1.0", "registry": "1"}, "unknown key(s) registry"),
        (
            {"repository": "chat-app", "tag": "1.0", "registry_id": "12345"},
            "is not a 12-digit AWS account id",
        ),
        (
            {"repository": "chat-app", "tag": "1.0", "max_severity": "SEVERE"},
            "max_severity 'SEVERE' is not one of",
        ),
        ({"repository": "chat-app", "tag": "1.0", "region": "EU"}, "not an AWS region name"),
        (
            {"repository": "chat-app", "tag": "1.0", "architecture": "amd64"},
            "architecture 'amd64' is not one of X86_64, ARM64",
        ),
    ],
)
def test_a_malformed_argument_is_rejected_when_the_config_loads_showing_the_accepted_forms(
    argument, problem, aws_calls
):
    with pytest.raises(InvalidResolverArgumentError) as rejected:
        make_stack(parameters={"ImageUri": EcrImage(argument)})
    assert problem in str(rejected.value)
    assert "!ecr_image <repository>:<tag>" in str(rejected.value)
    assert sum(aws_calls.values()) == 0


# The cache


def test_three_stacks_using_one_image_make_one_lookup(ecr, aws_calls):
    digest = push_image("chat-app", "1.4.2", "v1.4.2")
    stacks = [
        make_stack(name=f"dev/s{i}", parameters={"ImageUri": EcrImage("chat-app:1.4.2")}) for i in range(3)
    ]
    with ThreadPoolExecutor(max_workers=3) as pool:
        uris = list(pool.map(lambda stack: stack.parameters["ImageUri"], stacks))
    assert uris == [f"{REGISTRY}/chat-app@{digest}"] * 3
    assert aws_calls[("ecr", "describe_images")] == 1


def test_two_tags_are_two_lookups(ecr, aws_calls):
    push_image("chat-app", "1.4.2", "a")
    push_image("chat-app", "1.4.3", "b")
    resolve("chat-app:1.4.2")
    resolve("chat-app:1.4.3")
    resolve({"repository": "chat-app", "tag": "1.4.2"})
    assert aws_calls[("ecr", "describe_images")] == 2
