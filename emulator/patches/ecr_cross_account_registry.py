"""ECR calls with another account's registryId reach that account's repositories.

moto 5.2.5 looks a repository up in the caller's own account only, so `registryId` naming a
shared registry in another account always answers RepositoryNotFoundException. AWS serves it
when the repository policy allows the caller; moto does not evaluate repository policies at
all, so neither does this (any account may read).
"""

from moto.ecr.models import ECRBackend, ecr_backends

from emulator import moto_internals

_original_get_repository = moto_internals.ECR_GET_REPOSITORY.current()


def _get_repository(self: ECRBackend, name: str, registry_id: str | None = None):
    if registry_id and registry_id != self.account_id:
        return _original_get_repository(ecr_backends[registry_id][self.region_name], name, registry_id)
    return _original_get_repository(self, name, registry_id)


def install() -> None:
    """Internals: every ECR call looks its repository up through this one private method."""
    moto_internals.replace_private(moto_internals.ECR_GET_REPOSITORY, _get_repository)
