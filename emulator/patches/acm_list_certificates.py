"""ACM ListCertificates as AWS answers it: pages, and the names of each certificate.

moto 5.2.5 ignores MaxItems/NextToken (everything comes back in one answer) and leaves out
SubjectAlternativeNameSummaries / HasAdditionalSubjectAlternativeNames, which AWS returns for
every certificate (the first 100 names). Without them a client must call DescribeCertificate per
certificate to learn its names, which is exactly what the resolvers avoid on real AWS.
It also lists every key type when not asked to filter; AWS lists RSA_2048 certificates alone
unless Includes.keyTypes names the others, and a client that forgets must see that here too.
"""

import base64
import json
from typing import Any

from moto.acm.exceptions import AWSValidationException
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.responses import ActionResult

from emulator import moto_internals

# AWS: "When called by ListCertificates, this parameter will only return the first 100 subject
# alternative names included in the certificate."
SUMMARY_NAMES = 100
DEFAULT_MAX_ITEMS = 1000
DEFAULT_KEY_TYPES = ["RSA_2048"]


def _encode_token(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        return int(json.loads(base64.b64decode(token))["offset"])
    except (ValueError, KeyError, TypeError) as error:
        raise AWSValidationException("The NextToken is not valid.") from error


def list_certificates(self: AWSCertificateManagerResponse) -> ActionResult:
    statuses = moto_internals.request_param(self, "CertificateStatuses")
    includes = dict(moto_internals.request_param(self, "Includes") or {})
    includes.setdefault("keyTypes", DEFAULT_KEY_TYPES)
    max_items = int(moto_internals.request_param(self, "MaxItems") or DEFAULT_MAX_ITEMS)
    token = moto_internals.request_param(self, "NextToken")
    offset = _decode_token(token) if token else 0

    bundles = list(self.acm_backend.list_certificates(statuses, includes))
    certs = []
    for bundle in bundles[offset : offset + max_items]:
        cert = bundle.describe()["Certificate"]
        in_use_by = cert.pop("InUseBy", [])
        cert["InUse"] = bool(in_use_by)
        cert["Exported"] = bundle.cert_options["Export"] == "ENABLED"
        # AWS lists the domain name first, then the other SANs, as the certificate carries them.
        names = [bundle.common_name] + [n for n in bundle.sans if n != bundle.common_name]
        cert["SubjectAlternativeNameSummaries"] = names[:SUMMARY_NAMES]
        cert["HasAdditionalSubjectAlternativeNames"] = len(names) > SUMMARY_NAMES
        certs.append(cert)

    result: dict[str, Any] = {"CertificateSummaryList": certs}
    if offset + max_items < len(bundles):
        result["NextToken"] = _encode_token(offset + max_items)
    return ActionResult(result=result)


def install() -> None:
    """Internals: the response method is the only place the answer is built; moto has no hook for it."""
    moto_internals.replace(AWSCertificateManagerResponse, "list_certificates", list_certificates)
