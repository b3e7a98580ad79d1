"""The emulator reads botocore's data files once: moto makes a new botocore session wherever it
asks for a service's regions at import (the EC2 models, for one), and each new session used to
scan botocore's data folder and parse the models again (emulator/patches/botocore_data_loaded_once.py)."""

from __future__ import annotations

import json

from moto_python import run_in_moto_python

NEW_SESSIONS = """
import json
import boto3
import botocore.loaders
from emulator import extensions

extensions.install()  # imports moto, which asks for the EC2 regions as it loads

read = []
load_file = botocore.loaders.JSONFileLoader.load_file
botocore.loaders.JSONFileLoader.load_file = lambda self, path: read.append(path) or load_file(self, path)
regions = boto3.Session().get_available_regions("ec2")  # as moto.ec2.models.amis does
print(json.dumps({"read": [path.split("/data/")[-1] for path in read], "regions": len(regions)}))
"""


def test_a_new_session_in_the_emulator_reads_no_file_that_one_before_it_read():
    result = run_in_moto_python(NEW_SESSIONS)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["read"] == [], "a new botocore session read botocore's files again"
    assert found["regions"] > 10, "and still finds the service's regions"
