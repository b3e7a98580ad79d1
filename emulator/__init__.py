"""The local AWS emulator: stock moto plus the project's extensions for the gaps our templates hit.

This package is imported only inside `.venv-moto` (moto's server extras cannot live next to
sceptre 4.7). The project's side talks to it over HTTP through `local_env.emulator_process`.
"""
