"""CloudFormation support for AWS::CertificateManager::Certificate.

Stock moto skips the type, so a template that requests its own certificate gets nothing and a
listener pointing at it references an ARN that does not exist. This model requests the
certificate from moto's ACM backend (ISSUED at once: the emulator sets MOTO_ACM_VALIDATION_WAIT=0).
"""

from __future__ import annotations

import contextlib

from moto.acm.models import CertificateNotFound, acm_backends
from moto.core.common_models import CloudFormationModel

from emulator.cfn_resource import UpdatableCfnResource

# Changing any of these replaces the certificate in CloudFormation; Tags alone update in place.
_REPLACING = ("DomainName", "SubjectAlternativeNames", "CertificateAuthorityArn", "KeyAlgorithm")


class CfnCertificate(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::CertificateManager::Certificate"  # no GetAtt attributes; Ref is the ARN

    def __init__(self, arn: str, properties: dict):
        self.arn = arn
        self.properties = properties

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        arn = acm_backends[account_id][region_name].request_certificate(
            domain_name=properties["DomainName"],
            idempotency_token=None,  # type: ignore[arg-type]  # moto's annotation; its API passes None too
            subject_alt_names=properties.get("SubjectAlternativeNames") or [],
            tags=properties.get("Tags") or [],
            cert_authority_arn=properties.get("CertificateAuthorityArn"),
        )
        return cls(arn, properties)

    def update(self, name, properties, account_id, region_name):
        if any(properties.get(k) != self.properties.get(k) for k in _REPLACING):
            return self.replace(name, properties, account_id, region_name)
        bundle = acm_backends[account_id][region_name].get_certificate(self.arn)
        old_tags = self.properties.get("Tags") or []
        if old_tags:
            bundle.tags.remove(old_tags)
        if properties.get("Tags"):
            bundle.tags.add(properties["Tags"])
        self.properties = properties
        return self

    def delete(self, account_id, region_name):
        with contextlib.suppress(CertificateNotFound):
            acm_backends[account_id][region_name].delete_certificate(self.arn)


def install() -> None:
    """Public hook: moto registers each CloudFormationModel subclass once defined (imported): nothing to patch."""
