"""A Cognito domain prefix belongs to one user pool: a second CreateUserPoolDomain with it fails.

moto 5.2.5 keys domains by prefix and silently re-points a taken one at the new pool, so a
second stack (or account) "creates" a domain that in AWS fails with InvalidParameterException,
and the first pool loses its hosted UI. Here the call (and so AWS::Cognito::UserPoolDomain) is
refused with AWS's message while any pool in the region, in any account, holds the prefix.
"""

from __future__ import annotations

from moto.cognitoidp.exceptions import InvalidParameterException
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends

from emulator import moto_internals

_original_create_user_pool_domain = CognitoIdpBackend.create_user_pool_domain


def _taken(region_name: str, domain: str) -> bool:
    # Prefix domains are unique per region across all accounts (they are public host names).
    return any(
        domain in cognitoidp_backends[account][region_name].user_pool_domains
        for account in list(cognitoidp_backends)
    )


def create_user_pool_domain(self: CognitoIdpBackend, user_pool_id: str, domain: str, *args, **kwargs):
    if _taken(self.region_name, domain):
        raise InvalidParameterException("Domain already associated with another user pool.")
    return _original_create_user_pool_domain(self, user_pool_id, domain, *args, **kwargs)


def install() -> None:
    """Internals: the backend method is what the API and the CloudFormation model both call."""
    moto_internals.replace(CognitoIdpBackend, "create_user_pool_domain", create_user_pool_domain)
