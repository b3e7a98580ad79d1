"""Authorization errors in the JSON protocol for JSON services (ACM, ECR, ...), as AWS sends them.

With IAM enforcement on (`/moto-api/reset-auth`), moto 5.2.5 answers a denied call to a JSON
service with the XML error of query services and HTTP 403, so botocore cannot parse it: the
client sees error code "403" and an XML blob instead of AccessDeniedException and its message.
"""

from moto.core.exceptions import JsonRESTError
from moto.iam.access_control import IAMRequest

from emulator import moto_internals

_original_access_denied = moto_internals.IAM_RAISE_ACCESS_DENIED.current()
_original_invalid_key = moto_internals.IAM_RAISE_INVALID_ACCESS_KEY.current()


def _is_json_protocol(request: IAMRequest) -> bool:
    # JSON-protocol calls name their operation in X-Amz-Target; query/XML ones do not.
    headers = moto_internals.iam_request_headers(request)
    if hasattr(headers, "get"):  # werkzeug Headers (case-insensitive) or a dict
        return bool(headers.get("X-Amz-Target") or headers.get("x-amz-target"))
    return False


def _raise_access_denied(self: IAMRequest) -> None:
    if _is_json_protocol(self):
        raise JsonRESTError(
            "AccessDeniedException",
            f"User: {moto_internals.iam_request_access_key_arn(self)} is not authorized to perform:"
            f" {moto_internals.iam_request_action(self)}",
        )
    _original_access_denied(self)


def _raise_invalid_access_key(self: IAMRequest, reason: str) -> None:
    if _is_json_protocol(self):
        raise JsonRESTError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    _original_invalid_key(self, reason)


def install() -> None:
    """Internals: the access check raises from these two private methods only."""
    moto_internals.replace_private(moto_internals.IAM_RAISE_ACCESS_DENIED, _raise_access_denied)
    moto_internals.replace_private(moto_internals.IAM_RAISE_INVALID_ACCESS_KEY, _raise_invalid_access_key)
