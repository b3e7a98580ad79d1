"""The emulator's server finds each request's service once per host: the same answers as moto's
search, which lists moto's package folder and tries every service's URL pattern, without doing
that search again for a host it has seen (emulator/patches/server_backend_lookup_cached.py)."""

from __future__ import annotations

import json

from moto_python import run_in_moto_python

LOOKUPS = """
import json
from moto import backends
from emulator import extensions

extensions.install()
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

searches = []
listing = backends.list_of_moto_modules
backends.list_of_moto_modules = lambda: searches.append(1) or listing()  # counts moto's searches
app = DomainDispatcherApplication(create_backend_app)
hosts = ["cloudformation.eu-west-1.amazonaws.com", "ecs.eu-west-1.amazonaws.com",
         "elasticloadbalancing.eu-west-1.amazonaws.com", "127.0.0.1", "moto_api"]
first = [app.get_backend_for_host(host) for host in hosts]
searched = len(searches)
again = [app.get_backend_for_host(host) for host in hosts]
print(json.dumps({"first": first, "again": again, "searched": searched, "searched_again": len(searches) - searched}))
"""


def test_each_host_finds_its_service_as_moto_does_and_is_searched_for_once():
    result = run_in_moto_python(LOOKUPS)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["first"] == ["cloudformation", "ecs", "elb", None, "moto_api"]  # elb serves both ELB APIs
    assert found["again"] == found["first"]
    assert found["searched"] == 4, "the three AWS hosts and the loopback one were searched for once"
    assert found["searched_again"] == 0
