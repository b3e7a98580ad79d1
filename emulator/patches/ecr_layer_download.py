"""GetDownloadUrlForLayer answers a URL that serves the uploaded blob, as ECR's presigned URL does.

moto 5.2.5 accepts layer uploads (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload) but
keeps only their sizes, and GetDownloadUrlForLayer raises NotImplementedError (HTTP 500, which
botocore retries). An image's config blob (its architecture and os) is read this way, so here the
bytes are kept and served from the emulator itself:

    GET /moto-api/ecr-blob/<digest>?registry=<registry id>&region=<region>&repository=<name>
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ecr.models import ECRBackend, ecr_backends
from moto.ecr.responses import ECRResponse

from emulator import moto_internals

_original_complete_layer_upload = ECRBackend.complete_layer_upload


def _blobs(repository) -> dict[str, bytes]:
    return moto_internals.extension_state(repository, "layer_blobs", {})


def complete_layer_upload(self: ECRBackend, repository_name, upload_id, layer_digests, registry_id=None):
    repository = moto_internals.ecr_repository(self, repository_name, registry_id)
    upload = repository.uploads.get(upload_id)
    data = bytes(upload.layer_parts) if upload is not None else b""
    result = _original_complete_layer_upload(self, repository_name, upload_id, layer_digests, registry_id)
    _blobs(repository)[result["layerDigest"]] = data
    return result


def get_download_url_for_layer(self: ECRResponse) -> ActionResult:
    name = moto_internals.request_param(self, "repositoryName")
    digest = moto_internals.request_param(self, "layerDigest")
    repository = moto_internals.ecr_repository(
        self.ecr_backend, name, moto_internals.request_param(self, "registryId")
    )
    if digest not in _blobs(repository):
        raise JsonRESTError(
            "LayersNotFoundException",
            f"The image layer '{digest}' does not exist in the repository with name '{name}'"
            f" in the registry with id '{repository.registry_id}'",
        )
    host = self.headers.get("Host", "127.0.0.1")
    query = urlencode({"registry": repository.registry_id, "region": self.region, "repository": name})
    url = f"http://{host}/moto-api/ecr-blob/{digest}?{query}"
    return ActionResult({"downloadUrl": url, "layerDigest": digest})


def serve_blob(request, full_url, headers):
    parts = urlsplit(full_url)
    digest = parts.path.rsplit("/", 1)[-1]
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    try:
        repository = ecr_backends[query["registry"]][query["region"]].repositories.get(query["repository"])
    except KeyError:
        repository = None
    data = _blobs(repository).get(digest) if repository is not None else None
    if data is None:
        return 404, {}, "no such blob"
    return 200, {"Content-Type": "application/octet-stream"}, data


def install() -> None:
    """Internals: moto keeps no blob and its GetDownloadUrlForLayer answers 500; moto-api URL paths
    are the public way to add an endpoint."""
    moto_internals.replace(ECRBackend, "complete_layer_upload", complete_layer_upload)
    moto_internals.replace(ECRResponse, "get_download_url_for_layer", get_download_url_for_layer)
    # One path segment: moto's Flask rules do not match a regex across slashes; {{64}}: the key is a format string.
    moto_internals.add_moto_api_route("{0}/moto-api/ecr-blob/(?P<digest>sha256:[0-9a-f]{{64}})", serve_blob)
