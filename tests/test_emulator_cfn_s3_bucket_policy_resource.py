"""The emulator puts a stack's bucket policy on its bucket, updates it, and removes it with the stack."""

import json

import boto3
from cfn_stacks import outputs, put_stack

TEMPLATE = """
Parameters:
  Sid: {Type: String, Default: DenyInsecureTransport}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: !Ref Sid
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: !Sub "${Bucket.Arn}/*"
            Condition: {Bool: {"aws:SecureTransport": "false"}}
Outputs:
  BucketName: {Value: !Ref Bucket}
"""


def sids(s3, bucket):
    return [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]]


def test_a_stack_bucket_policy_is_put_on_its_bucket_updated_and_removed_with_the_stack(aws):
    cf, s3 = boto3.client("cloudformation"), boto3.client("s3")
    bucket = outputs(put_stack(cf, "logs", TEMPLATE))["BucketName"]
    assert sids(s3, bucket) == ["DenyInsecureTransport"]

    put_stack(cf, "logs", TEMPLATE, {"Sid": "Changed"}, update=True)
    assert sids(s3, bucket) == ["Changed"]

    cf.delete_stack(StackName="logs")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]  # retained
    try:
        s3.get_bucket_policy(Bucket=bucket)
    except s3.exceptions.ClientError as err:
        assert err.response["Error"]["Code"] == "NoSuchBucketPolicy"
    else:
        raise AssertionError("the policy outlived its stack")
