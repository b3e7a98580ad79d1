"""CloudFormation support for AWS::S3::BucketPolicy.

Stock moto skips the type, so a bucket declared with its policy (the access-log bucket's TLS-only
and ELB log-delivery statements) ends up with none. This model puts the policy on the bucket in
moto's S3 backend, replaces it on update, and removes it on delete. Ref is the bucket name, as in
CloudFormation.
"""

from __future__ import annotations

import contextlib
import json

from moto.core.common_models import CloudFormationModel
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from emulator.cfn_resource import UpdatableCfnResource


def _backend(account_id: str, region_name: str):
    return s3_backends[account_id][get_partition(region_name)]


class CfnBucketPolicy(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::S3::BucketPolicy"

    def __init__(self, bucket: str):
        self.bucket = bucket

    @property
    def physical_resource_id(self) -> str:
        return self.bucket

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        document = properties["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        _backend(account_id, region_name).put_bucket_policy(properties["Bucket"], text.encode())
        return cls(properties["Bucket"])

    def update(self, name, properties, account_id, region_name):
        if properties["Bucket"] != self.bucket:  # Bucket is create-only
            return self.replace(name, properties, account_id, region_name)
        return self.create(name, properties, account_id, region_name)  # PutBucketPolicy replaces it

    def delete(self, account_id, region_name):
        with contextlib.suppress(MissingBucket):  # the bucket went first
            _backend(account_id, region_name).delete_bucket_policy(self.bucket)


def install() -> None:
    """Public hook: moto registers each CloudFormationModel subclass once defined (imported): nothing to patch."""
