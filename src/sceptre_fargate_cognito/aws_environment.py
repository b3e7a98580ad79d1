"""Process environments that reach no AWS account: none at all, or only the local emulator.

Every way botocore finds credentials or an endpoint comes from the environment, a config file or
the instance metadata service, so all three are cut here, once, for everything that runs Sceptre
or boto3 on loopback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def without_aws(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`environ` (the process's by default) with every way to reach AWS credentials removed."""
    environ = os.environ if environ is None else environ
    env = {name: value for name, value in environ.items() if not name.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def emulator_credentials(endpoint: str, region: str) -> dict[str, str]:
    """The variables that send boto3 and Sceptre to the emulator at `endpoint`, with its dummy
    credentials (the emulator accepts any)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
    }


def only_emulator(endpoint: str, region: str) -> dict[str, str]:
    """The process's environment with AWS reachable only as the emulator at `endpoint`."""
    return without_aws() | emulator_credentials(endpoint, region)
