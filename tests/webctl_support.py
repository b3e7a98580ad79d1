"""The real `webctl` console script, run against a launched local environment."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sceptre_fargate_cognito.local_env.launch import LocalEnvironment

WEBCTL = Path(sys.executable).parent / "webctl"


def webctl(local: LocalEnvironment, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`webctl <args>` in the local environment's project, reaching its emulator only."""
    return subprocess.run(
        [str(WEBCTL), *args],
        cwd=local.project,
        env=local.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _as_a_shell_starts_it() -> None:
    # A shell starts a foreground command with SIGINT at its default and unblocked; a test worker's
    # own signal state must not decide whether Ctrl-C reaches webctl.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def webctl_process(local: LocalEnvironment, *args: str) -> subprocess.Popen:
    """`webctl <args>` started and left running (for --follow), its output on pipes."""
    return subprocess.Popen(
        [str(WEBCTL), *args],
        cwd=local.project,
        env=local.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        preexec_fn=_as_a_shell_starts_it,  # noqa: PLW1509 (two async-signal-safe calls)
    )


def outputs(local: LocalEnvironment, stack: str) -> dict[str, str]:
    """The outputs of the local environment's stack `<project_code>-local-<stack>`, by key."""
    name = f"{local.settings['project_code']}-local-{stack}"
    described = local.client("cloudformation").describe_stacks(StackName=name)
    return {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
