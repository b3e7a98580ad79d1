"""The local AWS emulator: stock moto plus the project's extensions for the gaps our templates hit.

This package runs inside `.venv-moto` (moto's server extras cannot live next to sceptre 4.7). The
project's side talks to it over HTTP through `local_env.emulator_process`; the tests import only
what needs no moto (the extensions' names, and patches.botocore_data_loaded_once for their own
processes).
"""
