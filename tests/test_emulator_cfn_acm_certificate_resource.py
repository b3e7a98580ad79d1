"""The emulator requests (and deletes) an ACM certificate declared in a stack."""

import boto3

TEMPLATE = """
Resources:
  Cert:
    Type: AWS::CertificateManager::Certificate
    Properties:
      DomainName: app.example.com
      SubjectAlternativeNames: [www.app.example.com]
      ValidationMethod: DNS
Outputs:
  CertificateArn: {Value: !Ref Cert}
"""


def test_a_stack_certificate_is_issued_in_acm_and_deleted_with_the_stack(aws):
    cf, acm = boto3.client("cloudformation"), boto3.client("acm")
    cf.create_stack(StackName="cert", TemplateBody=TEMPLATE)
    [output] = cf.describe_stacks(StackName="cert")["Stacks"][0]["Outputs"]

    cert = acm.describe_certificate(CertificateArn=output["OutputValue"])["Certificate"]
    assert cert["DomainName"] == "app.example.com"
    assert "www.app.example.com" in cert["SubjectAlternativeNames"]
    assert cert["Status"] == "ISSUED"

    cf.delete_stack(StackName="cert")
    assert acm.list_certificates()["CertificateSummaryList"] == []
