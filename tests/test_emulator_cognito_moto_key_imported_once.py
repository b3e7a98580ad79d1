"""A new user pool does not import moto's static signing key again: the import recovers the key's
prime factors, 180 ms of CPU a pool (emulator/patches/cognito_moto_key_imported_once.py). Each
pool still signs its tokens with a key of its own (test_emulator_cognito_pool_signing_keys.py)."""

from __future__ import annotations

import json

from moto_python import run_in_moto_python

POOLS = """
import json
from joserfc import jwk
from emulator import extensions

extensions.install()
from moto.cognitoidp.models import cognitoidp_backends
from moto.utilities.utils import load_resource

imported = []
import_key = jwk.RSAKey.import_key.__func__
jwk.RSAKey.import_key = classmethod(lambda cls, *a, **k: imported.append(1) or import_key(cls, *a, **k))
backend = cognitoidp_backends["123456789012"]["eu-west-1"]
pools = [backend.create_user_pool(f"pool{i}", {}) for i in range(3)]
static = load_resource("cognitoidp/resources/jwks-private.json")
print(json.dumps({"imported": len(imported), "keys": len({id(p.json_web_key) for p in pools}),
                  "moto_s_own": pools[2].json_web_key.as_dict(private=False)["n"] == static["n"]}))
"""


def test_three_new_pools_import_moto_s_key_once_and_share_it():
    result = run_in_moto_python(POOLS)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["imported"] == 1
    assert found["keys"] == 1
    assert found["moto_s_own"], "the shared key is still the one moto ships"
