"""CloudFormation support for AWS::CertificateManager::Certificate.

Stock moto skips the type, so a template that requests its own certificate gets nothing and a
listener pointing at it references an ARN that does not exist. This model requests the
certificate from moto's ACM backend (ISSUED at once: the emulator sets MOTO_ACM_VALIDATION_WAIT=0).
"""

from __future__ import annotations

import contextlib

from moto.acm.models import CertificateNotFound, acm_backends
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

# Changing any of these replaces the certificate in CloudFormation; Tags alone update in place.
_REPLACING = ("DomainName", "SubjectAlternativeNames", "CertificateAuthorityArn", "KeyAlgorithm")


class CfnCertificate(CloudFormationModel):
    def __init__(self, arn: str, properties: dict):
        self.arn = arn
        self.properties = properties

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CertificateManager::Certificate"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False  # the type has no GetAtt attributes; Ref is the ARN

    def get_cfn_attribute(self, attribute_name: str):
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
        arn = acm_backends[account_id][region_name].request_certificate(
            domain_name=properties["DomainName"],
            idempotency_token=None,
            subject_alt_names=properties.get("SubjectAlternativeNames") or [],
            tags=properties.get("Tags") or [],
            cert_authority_arn=properties.get("CertificateAuthorityArn"),
        )
        return cls(arn, properties)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json.get("Properties", {})
        if any(properties.get(k) != original_resource.properties.get(k) for k in _REPLACING):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            cls.delete_from_cloudformation_json(original_resource.arn, {}, account_id, region_name)
            return replacement
        backend = acm_backends[account_id][region_name]
        bundle = backend.get_certificate(original_resource.arn)
        old_tags = original_resource.properties.get("Tags") or []
        if old_tags:
            bundle.tags.remove(old_tags)
        if properties.get("Tags"):
            bundle.tags.add(properties["Tags"])
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        with contextlib.suppress(CertificateNotFound):
            acm_backends[account_id][region_name].delete_certificate(resource_name)


def install() -> None:
    """Nothing to patch: moto finds a CloudFormationModel subclass once it is defined (imported)."""
