"""Target health as an ALB finds it: registered targets are health-checked for real.

moto 5.2.5 reports every registered target `healthy` without looking at it, and keys a target
group's targets by id alone, so two targets on one address (127.0.0.1:8001 and :8002, which is
what tasks on loopback are) are one target. Here a target is its id and port, as in AWS, and a
checker thread in the emulator probes each registered loopback target as its target group says
(protocol, port, path, interval, timeout, healthy and unhealthy thresholds, matcher), moving it
through AWS's states and reasons:

- `initial` (Elb.RegistrationInProgress, then Elb.InitialHealthChecking) until it passes the
  healthy threshold (`healthy`) or fails the unhealthy threshold (`unhealthy`);
- `unhealthy` with Target.ResponseCodeMismatch ("Health checks failed with these codes: [500]"),
  Target.Timeout ("Request timed out") or Target.FailedHealthChecks (refused or reset);
- `draining` (Target.DeregistrationInProgress) for the group's deregistration delay after
  DeregisterTargets; `unavailable` (Target.HealthCheckDisabled) when health checks are off.

Only loopback addresses are probed (the emulator talks to nothing else); any other target times
out, as an address with nothing behind it does in a VPC.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from moto.elbv2.exceptions import InvalidTargetError, TargetNotRunning
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup, elbv2_backends

from emulator import change_count, moto_internals

TICK = 0.1  # seconds between looks at which checks are due
USER_AGENT = "ELB-HealthChecker/2.0"

_groups: weakref.WeakSet[FakeTargetGroup] = weakref.WeakSet()
_lock = threading.RLock()
_probes = ThreadPoolExecutor(max_workers=8, thread_name_prefix="target-health")


class _Health:
    """One registered target's health-check history."""

    def __init__(self, target: dict[str, Any]):
        self.target = target
        self.state = "initial"
        self.reason: str | None = "Elb.RegistrationInProgress"
        self.description: str | None = "Target registration is in progress"
        self.passed = 0  # in a row
        self.failed = 0
        self.next_check = time.monotonic()
        self.probing = False


def _key(target: dict[str, Any], default_port) -> tuple[str, str]:
    return target["Id"], str(target.get("Port", default_port))


def _state(group: FakeTargetGroup) -> tuple[dict, dict]:
    """(registered health by key, draining targets by key -> (target, until)) of a group."""
    return (
        moto_internals.extension_state(group, "target_health", {}),
        moto_internals.extension_state(group, "draining_targets", {}),
    )


def _deregistered(group: FakeTargetGroup) -> dict[Any, dict[str, Any]]:
    """moto's deregistered targets of a group, keyed here by (id, port) where moto keys them by id."""
    return group.deregistered_targets


def register(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
    for target in targets:
        instance = self.ec2_backend.get_instance_by_id(target["Id"])
        if instance and instance.state != "running":
            raise TargetNotRunning(instance_id=target["Id"])
    with _lock:
        health, draining = _state(self)
        for target in targets:
            key = _key(target, self.port)
            entry = {"Id": key[0], "Port": int(key[1]) if key[1].isdigit() else key[1]}
            # Registering a registered target again changes nothing, as in AWS.
            if key not in health:
                health[key] = _Health(entry)
            draining.pop(key, None)
            _deregistered(self).pop(key, None)
        self.targets = {key: h.target for key, h in health.items()}
        _groups.add(self)


def deregister(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
    # moto keeps some attribute values as numbers, those set through the API as text.
    setting: Any = self.attributes.get("deregistration_delay.timeout_seconds", 300)
    delay = float(setting)
    with _lock:
        health, draining = _state(self)
        for target in targets:
            key = _key(target, self.port)
            if key not in health:
                raise InvalidTargetError()
        for target in targets:
            key = _key(target, self.port)
            entry = health.pop(key)
            _deregistered(self)[key] = entry.target
            if delay > 0:
                draining[key] = (entry.target, time.monotonic() + delay)
        self.targets = {key: h.target for key, h in health.items()}


def deregister_terminated_instances(self: FakeTargetGroup, instance_ids: list[str]) -> None:
    health, _ = _state(self)
    gone = [h.target for h in list(health.values()) if h.target["Id"] in instance_ids]
    if gone:
        deregister(self, gone)


def health_for(self: FakeTargetGroup, target: dict[str, Any], ec2_backend) -> FakeHealthStatus:
    key = _key(target, self.port)
    with _lock:
        health, draining = _state(self)
        entry = health.get(key)
        if entry is not None:
            if not self.health_check_enabled:
                return FakeHealthStatus(
                    key[0],
                    entry.target["Port"],
                    self.health_check_port,
                    "unavailable",
                    "Target.HealthCheckDisabled",
                    "Health checks are disabled",
                )
            return FakeHealthStatus(
                key[0],
                entry.target["Port"],
                self.health_check_port,
                entry.state,
                entry.reason,
                entry.description,
            )
        if key in draining and draining[key][1] > time.monotonic():
            return FakeHealthStatus(
                key[0],
                draining[key][0]["Port"],
                self.health_check_port,
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
    return FakeHealthStatus(
        key[0],
        target.get("Port", self.port),
        self.health_check_port,
        "unused",
        "Target.NotRegistered",
        "Target is not registered to the target group",
    )


def describe_target_health(self, target_group_arn: str, targets: list[dict[str, Any]]):
    """With no targets named: the registered ones and those still draining, as AWS lists them."""
    target_group = self.target_groups.get(target_group_arn)
    if target_group is None or targets:
        return _original_describe_target_health(self, target_group_arn, targets)
    with _lock:
        health, draining = _state(target_group)
        now = time.monotonic()
        listed = [h.target for h in health.values()] + [t for t, until in draining.values() if until > now]
    return [target_group.health_for(target, self.ec2_backend) for target in listed]


def _matches(matcher: dict[str, Any] | None, status: int) -> bool:
    """Matcher HttpCode: "200", "200,202" or "200-299" (AWS's forms)."""
    codes = str((matcher or {}).get("HttpCode") or "200")
    for part in codes.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit() and int(low) <= status <= int(high or low):
            return True
    return False


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _probe(group: FakeTargetGroup, target: dict[str, Any]) -> tuple[bool, str | None, str | None]:
    """One health check of one target: (passed, reason, description)."""
    timeout = float(group.health_check_timeout_seconds or 5)
    host = target["Id"]
    if not _loopback(host):
        time.sleep(min(timeout, 1.0))
        return False, "Target.Timeout", "Request timed out"
    port_setting = str(group.health_check_port or "traffic-port")
    port = int(target["Port"]) if port_setting == "traffic-port" else int(port_setting)
    protocol = (group.health_check_protocol or group.protocol or "HTTP").upper()
    try:
        if protocol == "TCP":
            socket.create_connection((host, port), timeout=timeout).close()
            return True, None, None
        if protocol == "HTTPS":
            # An ALB does not verify its targets' certificates.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request(
                "GET",
                group.health_check_path or "/",
                headers={"User-Agent": USER_AGENT, "Connection": "close"},
            )
            status = connection.getresponse().status
        finally:
            connection.close()
    except TimeoutError:
        return False, "Target.Timeout", "Request timed out"
    except (OSError, http.client.HTTPException):
        return False, "Target.FailedHealthChecks", "Health checks failed"
    if _matches(group.matcher if hasattr(group, "matcher") else None, status):
        return True, None, None
    return False, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{status}]"


def _record(group: FakeTargetGroup, key, entry: _Health, result) -> None:
    passed, reason, description = result
    with _lock:
        entry.probing = False
        health, _ = _state(group)
        if health.get(key) is not entry:  # deregistered meanwhile
            return
        entry.next_check = time.monotonic() + float(group.health_check_interval_seconds or 30)
        shown = (entry.state, entry.reason, entry.description)
        if passed:
            entry.passed, entry.failed = entry.passed + 1, 0
            if entry.passed >= int(group.healthy_threshold_count or 5):
                entry.state, entry.reason, entry.description = "healthy", None, None
            elif entry.state == "initial":
                entry.reason, entry.description = (
                    "Elb.InitialHealthChecking",
                    "Initial health checks in progress",
                )
        else:
            entry.passed, entry.failed = 0, entry.failed + 1
            if entry.failed >= int(group.unhealthy_threshold_count or 2):
                entry.state = "unhealthy"
                entry.reason, entry.description = reason, description
            elif entry.state == "initial":
                entry.reason, entry.description = (
                    "Elb.InitialHealthChecking",
                    "Initial health checks in progress",
                )
        if (entry.state, entry.reason, entry.description) != shown:
            change_count.bump()  # DescribeTargetHealth answers differently now


def _probe_and_record(group: FakeTargetGroup, key, entry: _Health) -> None:
    try:
        result = _probe(group, entry.target)
    except Exception as err:  # never let one probe stop the checker
        result = (False, "Target.FailedHealthChecks", f"Health checks failed ({type(err).__name__})")
    _record(group, key, entry, result)


def _current(group: FakeTargetGroup) -> bool:
    """Still a target group of the emulator (not forgotten by a reset, not deleted)."""
    try:
        return elbv2_backends[group.account_id][group.region_name].target_groups.get(group.arn) is group
    except KeyError:
        return False


def _check_forever() -> None:
    while True:
        time.sleep(TICK)
        now = time.monotonic()
        for group in list(_groups):
            if not _current(group):
                _groups.discard(group)
                continue
            if not group.health_check_enabled:
                continue
            with _lock:
                health, draining = _state(group)
                for key, (_, until) in list(draining.items()):
                    if until <= now:
                        del draining[key]
                        change_count.bump()
                due = [(k, h) for k, h in health.items() if not h.probing and h.next_check <= now]
                for _, entry in due:
                    entry.probing = True
            for key, entry in due:
                _probes.submit(_probe_and_record, group, key, entry)


_original_describe_target_health = ELBv2Backend.describe_target_health


def install() -> None:
    """Internals: FakeTargetGroup's register/deregister/health_for are where moto keeps targets
    and answers their health; the checker reads the group's health-check attributes."""
    moto_internals.replace(ELBv2Backend, "describe_target_health", describe_target_health)
    moto_internals.replace(FakeTargetGroup, "register", register)
    moto_internals.replace(FakeTargetGroup, "deregister", deregister)
    moto_internals.replace(
        FakeTargetGroup, "deregister_terminated_instances", deregister_terminated_instances
    )
    moto_internals.replace(FakeTargetGroup, "health_for", health_for)
    threading.Thread(target=_check_forever, name="target-health-checker", daemon=True).start()
