"""Seed an ACM certificate's status: PENDING_VALIDATION, REVOKED, FAILED, INACTIVE, ...

moto issues every certificate at once (the emulator runs with MOTO_ACM_VALIDATION_WAIT=0) and
has no way to revoke one, so tests cannot otherwise meet the statuses a real account holds.
Like moto's own /moto-api/static/* endpoints, this one seeds state for tests:

    POST /moto-api/static/acm/certificate-status
    {"certificate_arn": "...", "status": "REVOKED", "account_id": "...", "region": "..."}

account_id and region default to the ARN's. The status then sticks (moto's own checks that
issue a pending certificate or expire an old one leave it alone).
"""

import json

from moto.acm.models import CertBundle

from emulator import moto_internals

STATUSES = {
    "PENDING_VALIDATION",
    "ISSUED",
    "INACTIVE",
    "EXPIRED",
    "VALIDATION_TIMED_OUT",
    "REVOKED",
    "FAILED",
}

_original_check = CertBundle.check


def _check(self: CertBundle) -> None:
    seeded = moto_internals.extension_state(self, "seeded_status", None)
    if seeded is not None:
        self.status = seeded
        return
    _original_check(self)


def set_certificate_status(request, full_url, headers):
    body = json.loads(request.get_data() if hasattr(request, "get_data") else request.body)
    arn = body.get("certificate_arn", "")
    status = body.get("status", "")
    if status not in STATUSES:
        return 400, {}, json.dumps({"message": f"status must be one of {sorted(STATUSES)}"})
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return 400, {}, json.dumps({"message": f"not an ACM certificate ARN: {arn!r}"})
    account_id = body.get("account_id", parts[4])
    region = body.get("region", parts[3])
    bundle = moto_internals.acm_certificate(account_id, region, arn)
    if bundle is None:
        return 404, {}, json.dumps({"message": f"no certificate {arn}"})
    moto_internals.set_extension_state(bundle, "seeded_status", status)
    bundle.status = status
    return 200, {}, json.dumps({"certificate_arn": arn, "status": status})


def install() -> None:
    """Internals: moto has no hook for a certificate's status check; the endpoint joins moto-api's own routes."""
    moto_internals.replace(CertBundle, "check", _check)
    moto_internals.add_moto_api_route("{0}/moto-api/static/acm/certificate-status", set_certificate_status)
