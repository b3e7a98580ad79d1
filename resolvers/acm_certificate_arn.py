"""!acm_certificate_arn: the ARN of the ISSUED ACM certificate that covers a domain.

    CertificateArn: !acm_certificate_arn app.example.com
    CertificateArn: !acm_certificate_arn {domain: app.example.com, region: us-east-1}

Matching, best first: the certificate's own domain name, then one of its other names (SAN), then
a wildcard one level up (`*.example.com` covers `app.example.com`, not `a.b.example.com` nor
`example.com`). Among equals the certificate that expires last wins, ties broken by the smallest
ARN, so the answer does not depend on the order AWS lists them in.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, NamedTuple

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.aws_lookup import (
    AwsCaller,
    Target,
    cached,
    check_target_overrides,
    target_for,
)
from sceptre_fargate_cognito.plugin_base.arguments import (
    ArgumentProblem,
    check_keys,
    optional_text,
)
from sceptre_fargate_cognito.plugin_base.errors import ResolverError
from sceptre_fargate_cognito.plugin_base.resolver import ProjectResolver

NAME = "acm_certificate_arn"
ACCEPTED_FORMS = (
    "accepted forms:\n"
    "  !acm_certificate_arn app.example.com\n"
    "  !acm_certificate_arn {domain: app.example.com, region: us-east-1, profile: <profile>,"
    " sceptre_role: arn:aws:iam::<account>:role/<name>}   (all but domain optional)"
)
KEYS = ("domain", "region", "profile", "sceptre_role")
# ListCertificates answers RSA_2048 certificates alone unless asked for the other key types.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
PAGE_SIZE = 1000  # the largest MaxItems ListCertificates accepts

EXACT, SAN, WILDCARD = 0, 1, 2
MATCH_KINDS = {EXACT: "domain name", SAN: "SAN", WILDCARD: "wildcard"}


def normalise_domain(text: str) -> str:
    """Lower case, no trailing dot; raises ArgumentProblem unless it is a host name."""
    domain = text.strip().lower().rstrip(".")
    # A wildcard name (*.example.com) is a DNS name one level down.
    if not rules.DNS_NAME.allows(domain.removeprefix("*.")):
        raise ArgumentProblem(f"{text!r} is not a domain name like app.example.com")
    return domain


def parse_argument(argument: Any) -> dict:
    """The argument as {domain, region, profile, sceptre_role}; nested resolvers left in place."""
    if isinstance(argument, str):
        return {"domain": normalise_domain(argument), "region": None, "profile": None, "sceptre_role": None}
    if not isinstance(argument, dict):
        raise ArgumentProblem(f"expected a domain name or a dict, got {type(argument).__name__} {argument!r}")
    check_keys(argument, KEYS, required=("domain",))
    parsed = {key: optional_text(argument, key) for key in KEYS}
    domain = parsed["domain"]
    if isinstance(domain, str):  # else a nested resolver, known at resolve time
        parsed["domain"] = normalise_domain(domain)

    def field_error(message: str) -> None:
        raise ArgumentProblem(message)

    check_target_overrides(parsed, field_error)
    return parsed


def match(domain: str, domain_name: str, names: list[str]) -> int | None:
    """How a certificate with this domain name and these names covers `domain`, or None."""
    domain_name = domain_name.lower().rstrip(".")
    names = [name.lower().rstrip(".") for name in names]
    if domain_name == domain:
        return EXACT
    if domain in names:
        return SAN
    parent = domain.split(".", 1)[1]
    if not domain.startswith("*.") and f"*.{parent}" in names + [domain_name]:
        return WILDCARD
    return None


class Candidate(NamedTuple):
    arn: str
    domain_name: str
    status: str
    not_after: datetime | None
    rank: int


class AcmCertificateArn(ProjectResolver):
    """Resolves to the ARN of the best ISSUED certificate covering the domain (see module doc)."""

    tag = NAME
    accepted_forms = ACCEPTED_FORMS
    parse_argument = staticmethod(parse_argument)

    def resolve(self) -> str:
        try:
            query = parse_argument(self.argument)
        except ArgumentProblem as problem:
            self.raise_invalid_argument_error(f"!{NAME}: {problem}\n{ACCEPTED_FORMS}")
        target = target_for(self.stack, query)
        key = (NAME, query["domain"], *target)
        try:
            return cached(key, lambda: self._lookup(query["domain"], target))
        except ResolverError as err:
            raise ResolverError(f"{self.stack.name} - {err}", aws_code=err.aws_code) from None

    def _lookup(self, domain: str, target: Target) -> str:
        aws = AwsCaller(self.stack, target, NAME)
        self.logger.debug("Looking up the ACM certificate for %s in %s", domain, target.describe())
        candidates = []
        for page in aws.pages(
            "acm", "list_certificates", "NextToken", Includes={"keyTypes": KEY_TYPES}, MaxItems=PAGE_SIZE
        ):
            for summary in page.get("CertificateSummaryList", []):
                rank = self._rank(aws, domain, summary)
                if rank is not None:
                    candidates.append(
                        Candidate(
                            summary["CertificateArn"],
                            summary.get("DomainName", ""),
                            summary.get("Status", "UNKNOWN"),
                            summary.get("NotAfter"),
                            rank,
                        )
                    )
        now = datetime.now(timezone.utc)
        usable = [c for c in candidates if c.status == "ISSUED" and c.not_after and c.not_after > now]
        if usable:
            best = min(usable, key=lambda c: (c.rank, -c.not_after.timestamp() if c.not_after else 0, c.arn))
            self.logger.debug("%s is covered by %s (%s)", domain, best.arn, MATCH_KINDS[best.rank])
            return best.arn
        raise ResolverError(self._no_match_message(aws, domain, target, candidates, now))

    @staticmethod
    def _rank(aws: AwsCaller, domain: str, summary: dict) -> int | None:
        domain_name = summary.get("DomainName", "")
        if "SubjectAlternativeNameSummaries" in summary:
            rank = match(domain, domain_name, summary["SubjectAlternativeNameSummaries"])
            # The list answer carries the first 100 names; only a longer certificate needs a describe.
            if rank is not None or not summary.get("HasAdditionalSubjectAlternativeNames"):
                return rank
        detail = aws.call("acm", "describe_certificate", CertificateArn=summary["CertificateArn"])
        return match(domain, domain_name, detail["Certificate"].get("SubjectAlternativeNames", []))

    @staticmethod
    def _no_match_message(aws: AwsCaller, domain: str, target: Target, near: list[Candidate], now) -> str:
        wildcard = f"*.{domain.split('.', 1)[1]}"
        lines = [
            f"!{NAME}: no ISSUED certificate covers {domain} in region {target.region} of account "
            f"{aws.account_id()} (looked for {domain} as domain name or SAN, then {wildcard}; all key types)."
        ]
        if near:
            lines.append("Near misses (they cover the name but cannot be used):")
            for c in sorted(near, key=lambda c: (c.rank, c.arn)):
                state = c.status
                if c.status == "ISSUED" and c.not_after and c.not_after <= now:
                    state = "ISSUED but past its NotAfter"
                if c.not_after:
                    state += f", NotAfter {c.not_after.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
                lines.append(f"  - {c.arn} ({c.domain_name}, {MATCH_KINDS[c.rank]} match): {state}")
        else:
            lines.append(
                f"No certificate of any status covers it: request or import one for {domain} or {wildcard}"
                f" in {target.region}."
            )
        return "\n".join(lines)
