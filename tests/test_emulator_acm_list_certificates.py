"""emulator/patches/acm_list_certificates.py: ListCertificates pages and lists names, as AWS does."""

import boto3
from resolver_support import import_certificate


def test_list_certificates_answers_in_pages_of_max_items(aws):
    arns = {import_certificate([f"site{i}.example.com"]) for i in range(5)}
    acm = boto3.client("acm")
    first = acm.list_certificates(MaxItems=2)
    assert len(first["CertificateSummaryList"]) == 2 and first["NextToken"]
    seen = [c["CertificateArn"] for c in first["CertificateSummaryList"]]
    token = first["NextToken"]
    pages = 1
    while token:
        page = acm.list_certificates(MaxItems=2, NextToken=token)
        seen += [c["CertificateArn"] for c in page["CertificateSummaryList"]]
        token = page.get("NextToken")
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(arns)


def test_the_last_page_carries_no_next_token(aws):
    import_certificate(["only.example.com"])
    answer = boto3.client("acm").list_certificates(MaxItems=1000)
    assert len(answer["CertificateSummaryList"]) == 1
    assert "NextToken" not in answer


def test_each_summary_lists_the_certificate_names(aws):
    import_certificate(["app.example.com", "www.example.com", "*.api.example.com"])
    (summary,) = boto3.client("acm").list_certificates()["CertificateSummaryList"]
    assert summary["SubjectAlternativeNameSummaries"][0] == "app.example.com"
    assert set(summary["SubjectAlternativeNameSummaries"]) == {
        "app.example.com",
        "www.example.com",
        "*.api.example.com",
    }
    assert summary["HasAdditionalSubjectAlternativeNames"] is False


def test_a_certificate_with_more_than_100_names_lists_the_first_100_and_says_there_are_more(aws):
    names = ["a.example.com"] + [f"n{i}.example.com" for i in range(120)]
    arn = import_certificate(names)
    acm = boto3.client("acm")
    (summary,) = acm.list_certificates()["CertificateSummaryList"]
    assert len(summary["SubjectAlternativeNameSummaries"]) == 100
    assert summary["HasAdditionalSubjectAlternativeNames"] is True
    assert len(acm.describe_certificate(CertificateArn=arn)["Certificate"]["SubjectAlternativeNames"]) == 121


def test_without_key_types_only_rsa_2048_certificates_are_listed_as_on_aws(aws):
    rsa_arn = import_certificate(["rsa.example.com"], key="rsa")
    ec_arn = import_certificate(["ec.example.com"], key="ec")
    acm = boto3.client("acm")
    assert [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]] == [rsa_arn]
    every = acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]})[
        "CertificateSummaryList"
    ]
    assert {c["CertificateArn"] for c in every} == {rsa_arn, ec_arn}
