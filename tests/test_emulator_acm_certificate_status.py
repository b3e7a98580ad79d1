"""emulator/patches/acm_certificate_status.py: tests can give a certificate any ACM status."""

import urllib.error

import boto3
import pytest
from resolver_support import import_certificate, set_certificate_status


@pytest.mark.parametrize("status", ["PENDING_VALIDATION", "REVOKED", "FAILED", "INACTIVE", "EXPIRED"])
def test_a_seeded_status_is_what_acm_answers_and_it_sticks(aws, status):
    arn = import_certificate(["app.example.com"])
    set_certificate_status(aws, arn, status)
    acm = boto3.client("acm")
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == status
    assert [
        c["Status"] for c in acm.list_certificates(CertificateStatuses=[status])["CertificateSummaryList"]
    ] == [status]


def test_a_requested_certificate_held_pending_stays_pending(aws):
    acm = boto3.client("acm")
    arn = acm.request_certificate(DomainName="app.example.com")["CertificateArn"]
    set_certificate_status(aws, arn, "PENDING_VALIDATION")
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "PENDING_VALIDATION"


def test_an_unknown_status_is_refused(aws):
    arn = import_certificate(["app.example.com"])
    with pytest.raises(urllib.error.HTTPError) as refused:
        set_certificate_status(aws, arn, "SORT_OF_ISSUED")
    assert refused.value.code == 400
