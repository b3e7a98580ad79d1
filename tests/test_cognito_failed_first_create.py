"""A first create of the cognito stack that fails after the user pool was made leaves nothing behind:
the pool's `DeletionPolicy: RetainExceptOnCreate` keeps it on a delete, not on a failed create.

End to end on `local`: the hosted-UI domain prefix is taken by another pool (the emulator refuses a
taken prefix, as Cognito does), so the create fails at UserPoolDomain, after UserPool.
"""

from __future__ import annotations

import pytest
from local_project import start_local

pytestmark = pytest.mark.e2e

STACK = "webapp-local-cognito"
PREFIX = "webapp-local-123456789012"  # the stack's domain prefix: <ExportPrefix>-<account id>


@pytest.fixture
def squatted_local(tmp_path):
    """A fresh `local` with nothing launched, and the cognito stack's domain prefix held by another pool."""
    local = start_local(tmp_path)
    try:
        cognito = local.client("cognito-idp")
        squatter = cognito.create_user_pool(PoolName="squatter")["UserPool"]["Id"]
        cognito.create_user_pool_domain(Domain=PREFIX, UserPoolId=squatter)
        yield local, squatter
    finally:
        local.stop()


def _pools(local) -> list[str]:
    return [p["Id"] for p in local.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]]


def _status(local) -> str | None:
    stacks = local.client("cloudformation").describe_stacks()["Stacks"]
    return next((s["StackStatus"] for s in stacks if s["StackName"] == STACK), None)


def test_a_failed_first_create_leaves_no_user_pool_and_a_relaunch_creates_it_once_the_prefix_is_free(
    squatted_local,
):
    local, squatter = squatted_local

    failed = local.sceptre("launch", "local/cognito.yaml", "--yes")

    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert "Domain already associated with another user pool" in output
    assert _status(local) in (None, "ROLLBACK_COMPLETE")
    assert _pools(local) == [squatter]  # the stack's own pool was removed by the rollback

    local.client("cognito-idp").delete_user_pool_domain(Domain=PREFIX, UserPoolId=squatter)
    relaunched = local.sceptre("launch", "local/cognito.yaml", "--yes")

    assert relaunched.returncode == 0, relaunched.stdout + relaunched.stderr
    assert _status(local) == "CREATE_COMPLETE"
    assert len(_pools(local)) == 2
