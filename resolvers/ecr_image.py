"""!ecr_image: an ECR image pinned by digest, `<registry>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:...`.

    ImageUri: !ecr_image chat-app:1.4.2
    ImageUri: !ecr_image chat-app@sha256:<64 hex digits>
    ImageUri: !ecr_image {repository: chat-app, tag: 1.4.2, registry_id: "111122223333", max_severity: HIGH}
    ImageUri: !ecr_image {repository: chat-app, tag: 1.4.2, architecture: ARM64}

A tag resolves to the digest it points at now (for a multi-arch image, the digest of the index),
so a launch deploys exactly the image that was reviewed and a moved tag shows in `sceptre diff`.
A digest is checked to exist. `max_severity` refuses an image whose scan found that severity or
worse, and an image without a completed scan. `architecture` (the task's CPU architecture)
refuses an image without a linux image for it: Fargate would fail at pull, after the deploy began.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from functools import cache
from typing import Any

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.aws_lookup import (
    AwsCaller,
    Target,
    cached,
    check_target_overrides,
    target_for,
)
from sceptre_fargate_cognito.plugin_base.arguments import (
    ArgumentProblem,
    check_keys,
    is_unresolved,
    optional_text,
)
from sceptre_fargate_cognito.plugin_base.errors import ResolverError
from sceptre_fargate_cognito.plugin_base.resolver import ProjectResolver

NAME = "ecr_image"
ACCEPTED_FORMS = (
    "accepted forms:\n"
    "  !ecr_image <repository>:<tag>\n"
    "  !ecr_image <repository>@sha256:<64 hex digits>\n"
    "  !ecr_image {repository: <repository>, tag: <tag> | digest: sha256:<64 hex digits>,"
    " registry_id: <12-digit account>, region: <region>, profile: <profile>,"
    " sceptre_role: <role ARN>, max_severity: INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL,"
    " architecture: X86_64|ARM64}"
    "   (all but repository and tag or digest optional)"
)
KEYS = (
    "repository",
    "tag",
    "digest",
    "registry_id",
    "region",
    "profile",
    "sceptre_role",
    "max_severity",
    "architecture",
)
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")  # least to most severe
# A scan is over when basic scanning says COMPLETE or enhanced scanning (Inspector) says ACTIVE.
SCAN_DONE = ("COMPLETE", "ACTIVE")
INDEX_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
SINGLE_MEDIA_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
RECENT_TAGS = 5
BLOB_TIMEOUT = 10  # seconds to read an image config from the registry's download URL


def parse_argument(argument: Any) -> dict:
    """The argument as a dict of every key in KEYS; nested resolvers are left in place."""
    parsed: dict[str, Any]
    if isinstance(argument, str):
        text = argument.strip()
        if "@" in text:
            repository, digest = text.split("@", 1)
            parsed = {"repository": repository, "digest": digest}
        elif ":" in text:
            repository, tag = text.rsplit(":", 1)
            parsed = {"repository": repository, "tag": tag}
        else:
            raise ArgumentProblem(
                f"{argument!r} names no tag or digest (there is no implicit 'latest': pin what you deploy)"
            )
        if "/" in repository and "." in repository.split("/", 1)[0]:
            raise ArgumentProblem(
                f"{argument!r} looks like a full image URI; give the repository name, and registry_id/region"
                " in the dict form"
            )
    elif isinstance(argument, dict):
        check_keys(argument, KEYS, required=("repository",))
        argument = dict(argument)
        registry_id = argument.get("registry_id")
        if isinstance(registry_id, int) and not isinstance(registry_id, bool) and 0 <= registry_id < 10**12:
            # YAML reads an unquoted account id as a number and drops its leading zeros: put them back.
            argument["registry_id"] = f"{registry_id:012d}"
        parsed = {key: optional_text(argument, key) for key in KEYS}
    else:
        raise ArgumentProblem(f"expected a string or a dict, got {type(argument).__name__} {argument!r}")

    parsed = {key: parsed.get(key) for key in KEYS}
    if parsed["tag"] is not None and parsed["digest"] is not None:
        raise ArgumentProblem("give a tag or a digest, not both")
    if parsed["tag"] is None and parsed["digest"] is None:
        raise ArgumentProblem("missing tag or digest")
    checks = (
        ("repository", rules.ECR_REPOSITORY),
        ("tag", rules.IMAGE_TAG),
        ("digest", rules.IMAGE_DIGEST),
        ("registry_id", rules.ACCOUNT_ID),
    )
    for key, rule in checks:
        value = parsed[key]
        if isinstance(value, str) and not rule.allows(value):
            raise ArgumentProblem(f"{key} {value!r} is not {rule.expected}")
    severity = parsed["max_severity"]
    if isinstance(severity, str):
        parsed["max_severity"] = severity.upper()
        if parsed["max_severity"] not in SEVERITIES:
            raise ArgumentProblem(f"max_severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    architecture = parsed["architecture"]
    if isinstance(architecture, str):
        parsed["architecture"] = architecture.upper()
        if not rules.CPU_ARCHITECTURE.allows(parsed["architecture"]):
            raise ArgumentProblem(
                f"architecture {architecture!r} is not one of {', '.join(rules.CPU_ARCHITECTURE.values)}"
                " (the ECS task's cpuArchitecture)"
            )

    def field_error(message: str) -> None:
        raise ArgumentProblem(message)

    check_target_overrides(parsed, field_error)
    return parsed


def image_uri(registry_id: str, region: str, repository: str, digest: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{registry_id}.dkr.ecr.{region}.{suffix}/{repository}@{digest}"


class EcrImage(ProjectResolver):
    """Resolves to the image URI pinned by digest (see module doc)."""

    tag = NAME
    accepted_forms = ACCEPTED_FORMS
    parse_argument = staticmethod(parse_argument)

    def resolve(self) -> str:
        try:
            query = parse_argument(self.argument)
            if any(is_unresolved(value) for value in query.values()):
                raise ArgumentProblem("a nested resolver did not resolve to a value")
        except ArgumentProblem as problem:
            self.raise_invalid_argument_error(f"!{NAME}: {problem}\n{ACCEPTED_FORMS}")
        target = target_for(self.stack, query)
        identity = tuple(
            query[key]
            for key in ("repository", "tag", "digest", "registry_id", "max_severity", "architecture")
        )
        try:
            return cached((NAME, *identity, *target), lambda: self._lookup(query, target))
        except ResolverError as err:
            raise ResolverError(f"{self.stack.name} - {err}", aws_code=err.aws_code) from None

    def _lookup(self, query: dict, target: Target) -> str:
        aws = AwsCaller(self.stack, target, NAME)
        repository = query["repository"]
        wanted = f"tag {query['tag']}" if query["tag"] else f"digest {query['digest']}"
        image_id = {"imageTag": query["tag"]} if query["tag"] else {"imageDigest": query["digest"]}
        registry = {"registryId": query["registry_id"]} if query["registry_id"] else {}
        where = f"registry {query['registry_id'] or '(this account)'}, region {target.region}"
        self.logger.debug("Looking up %s:%s in %s", repository, wanted, where)
        try:
            details = aws.call(
                "ecr", "describe_images", repositoryName=repository, imageIds=[image_id], **registry
            )["imageDetails"]
        except ResolverError as err:
            if err.aws_code == "RepositoryNotFoundException":
                raise ResolverError(
                    f"!{NAME}: there is no repository {repository} in {where}"
                    + ("" if query["registry_id"] else " (a shared registry needs registry_id)")
                ) from None
            if err.aws_code == "ImageNotFoundException":
                raise ResolverError(
                    f"!{NAME}: repository {repository} ({where}) has no image with {wanted}. "
                    + self._recent_tags(aws, repository, registry)
                ) from None
            raise
        if not details:
            raise ResolverError(f"!{NAME}: repository {repository} ({where}) has no image with {wanted}.")
        detail = details[0]
        digest = detail["imageDigest"]
        registry_id = detail.get("registryId") or query["registry_id"]
        # Read once, and only by a check that needs it.
        manifest = cache(lambda: self._manifest(aws, repository, detail, registry))
        if query["architecture"]:
            self._check_architecture(aws, query, detail, registry, manifest)
        if query["max_severity"]:
            self._check_scans(aws, query, detail, registry, manifest)
        return image_uri(registry_id, target.region, repository, digest)

    @staticmethod
    def _recent_tags(aws: AwsCaller, repository: str, registry: dict) -> str:
        images = []
        for page in aws.pages(
            "ecr",
            "describe_images",
            "nextToken",
            repositoryName=repository,
            filter={"tagStatus": "TAGGED"},
            maxResults=1000,
            **registry,
        ):
            images.extend(page.get("imageDetails", []))
        # Newest first; within one push time, the highest tag name first so the list is stable.
        tagged = sorted(
            ((image.get("imagePushedAt"), tag) for image in images for tag in image.get("imageTags", [])),
            key=lambda pair: (pair[0].timestamp() if pair[0] else 0, pair[1]),
            reverse=True,
        )
        if not tagged:
            return "It has no tagged images."
        tags = [tag for _, tag in tagged[:RECENT_TAGS]]
        return f"Most recently pushed tags: {', '.join(tags)}."

    def _check_scans(
        self, aws: AwsCaller, query: dict, detail: dict, registry: dict, manifest: Callable[[], dict]
    ) -> None:
        repository = query["repository"]
        digests = [detail["imageDigest"]]
        if detail.get("imageManifestMediaType") in INDEX_MEDIA_TYPES:
            # Scans run per platform image, never on the index: gate every platform it lists.
            listed = manifest().get("manifests", [])
            digests = [entry["digest"] for entry in listed if not _is_attestation(entry)] or digests
        threshold = SEVERITIES.index(query["max_severity"])
        for digest in digests:
            label = f"{repository}@{digest}"
            try:
                findings = aws.call(
                    "ecr",
                    "describe_image_scan_findings",
                    repositoryName=repository,
                    imageId={"imageDigest": digest},
                    maxResults=1,
                    **registry,
                )
            except ResolverError as err:
                if err.aws_code == "ScanNotFoundException":
                    raise ResolverError(
                        f"!{NAME}: {label} has no scan, and max_severity {query['max_severity']} needs a"
                        " completed one (enable scan on push, or start a scan)."
                    ) from None
                raise
            status = findings.get("imageScanStatus", {})
            if status.get("status") not in SCAN_DONE:
                raise ResolverError(
                    f"!{NAME}: {label} has no completed scan (status {status.get('status')}: "
                    f"{status.get('description', 'no description')}); max_severity {query['max_severity']}"
                    " needs one."
                )
            counts = findings.get("imageScanFindings", {}).get("findingSeverityCounts", {}) or {}
            blocking = {
                severity: count
                for severity, count in counts.items()
                if count and severity in SEVERITIES and SEVERITIES.index(severity) >= threshold
            }
            if blocking:
                ordered = sorted(counts.items(), key=lambda item: _severity_order(item[0]))
                raise ResolverError(
                    f"!{NAME}: {label} has findings at or above max_severity {query['max_severity']}: "
                    + ", ".join(f"{severity} {count}" for severity, count in ordered if severity in blocking)
                    + " (all findings: "
                    + ", ".join(f"{severity} {count}" for severity, count in ordered)
                    + ")."
                )

    @staticmethod
    def _manifest(aws: AwsCaller, repository: str, detail: dict, registry: dict) -> dict:
        """The image's manifest (an index or a single image's) as the registry stores it."""
        images = aws.call(
            "ecr",
            "batch_get_image",
            repositoryName=repository,
            imageIds=[{"imageDigest": detail["imageDigest"]}],
            acceptedMediaTypes=[*INDEX_MEDIA_TYPES, *SINGLE_MEDIA_TYPES],
            **registry,
        ).get("images", [])
        if not images:
            raise ResolverError(
                f"!{NAME}: could not read the manifest of {repository}@{detail['imageDigest']}."
            )
        return json.loads(images[0]["imageManifest"])

    def _check_architecture(
        self, aws: AwsCaller, query: dict, detail: dict, registry: dict, manifest: Callable[[], dict]
    ) -> None:
        repository, digest = query["repository"], detail["imageDigest"]
        wanted = rules.CPU_ARCHITECTURE_PLATFORMS[query["architecture"]]
        label = f"{repository}:{query['tag']}" if query["tag"] else repository
        if "manifests" in manifest():  # an index / manifest list: its entries name their platforms
            platforms = [
                _platform(entry.get("platform") or {})
                for entry in manifest()["manifests"]
                if not _is_attestation(entry)
            ]
        else:  # one image: its platform is in its config blob
            config = self._config_blob(aws, repository, manifest(), registry)
            if config is None:
                return
            platforms = [_platform(config)]
        if wanted not in platforms:
            raise ResolverError(
                f"!{NAME}: {label} ({digest}) has no {wanted} image, which architecture"
                f" {query['architecture']} needs; it has {', '.join(sorted(set(platforms))) or 'no platform'}."
                " Build and push it for that platform (docker buildx build --platform"
                f" {wanted}), or set the environment's cpu_architecture to match the image."
            )

    def _config_blob(self, aws: AwsCaller, repository: str, manifest: dict, registry: dict) -> dict | None:
        """The image config (architecture, os), or None, logged, where the registry does not let us read it."""
        config_digest = (manifest.get("config") or {}).get("digest")
        try:
            if not config_digest:
                raise ValueError("the manifest names no config blob")
            url = aws.call(
                "ecr",
                "get_download_url_for_layer",
                repositoryName=repository,
                layerDigest=config_digest,
                **registry,
            )["downloadUrl"]
            with urllib.request.urlopen(url, timeout=BLOB_TIMEOUT) as answer:  # noqa: S310 (the registry's https URL)
                config = json.loads(answer.read())
            if not isinstance(config, dict):
                raise ValueError("the config blob is not a JSON object")
            return config
        except (ResolverError, OSError, ValueError) as err:
            self.logger.warning(
                "!%s: could not verify the architecture of %s (config blob %s): %s",
                NAME,
                repository,
                config_digest,
                err,
            )
            return None


def _is_attestation(entry: dict) -> bool:
    """Build attestations (buildx provenance/SBOM) are listed as manifests but are not images."""
    platform = entry.get("platform") or {}
    return entry.get("annotations", {}).get("vnd.docker.reference.type") == "attestation-manifest" or (
        platform.get("architecture"),
        platform.get("os"),
    ) == ("unknown", "unknown")


def _platform(description: dict) -> str:
    """os/architecture of an index entry's platform or an image config (a variant such as arm64's
    v8 does not change what ECS can run)."""
    return f"{description.get('os', '?')}/{description.get('architecture', '?')}"


def _severity_order(severity: str) -> int:
    """Most severe first; UNDEFINED/UNTRIAGED (no ranking) last."""
    return -SEVERITIES.index(severity) if severity in SEVERITIES else 1
