"""The emulator's server finds each request's service once per host, not by searching every time.

moto 5.2.5's server looks up the backend of every request by host, twice for a request to the
loopback address (that host, then the one it infers from the signature): each lookup lists moto's
package folder on disk (`backends.list_of_moto_modules`: some 200 `isdir` calls) and then tries the
URL patterns of every service in turn. The answer depends only on the host and on what moto ships,
so each host's answer is kept. Measured on an idle `local`, the emulator's CPU per call: 2.8-4.2 ms
before and 2.0-2.4 ms after for small ones (DescribeServices, DescribeTargetHealth, ListStacks,
GetTemplate), 8.0 ms before and 6.4 ms after for a DescribeStacks.
"""

from __future__ import annotations

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from emulator import moto_internals

_original = DomainDispatcherApplication.get_backend_for_host
# host -> backend: what moto ships decides it, the same for every application object.
_found: dict[str | None, Any] = {}


def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
    if host not in _found:
        _found[host] = _original(self, host)
    return _found[host]


def install() -> None:
    moto_internals.replace(DomainDispatcherApplication, "get_backend_for_host", get_backend_for_host)
