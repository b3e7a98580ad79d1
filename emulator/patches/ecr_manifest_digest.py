"""ECR image digests are the sha256 of the manifest, as in every registry.

moto 5.2.5 hashes the layer digests of a single-platform manifest, and for a manifest without
layers (an image index / manifest list: a multi-arch image) picks sha256 of a random number
between 0 and 100, so two indexes can share a digest and none matches what `docker` shows.
"""

import hashlib

from moto.ecr.models import Image

from emulator import moto_internals


def _create_digest(self: Image) -> None:
    manifest = self.image_manifest
    data = manifest.encode("utf-8") if isinstance(manifest, str) else manifest
    moto_internals.set_ecr_image_digest(self, "sha256:" + hashlib.sha256(data).hexdigest())


def install() -> None:
    """Internals: the digest is computed in one private Image method."""
    moto_internals.replace_private(moto_internals.ECR_IMAGE_CREATE_DIGEST, _create_digest)
