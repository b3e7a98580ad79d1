"""The `local` environment end to end: what `bin/launch-local` runs.

1. start the emulator (or reuse the one a kept run left);
2. make a throwaway CA and a certificate for the environment's domain; import it into ACM;
3. create the ECR repository and put an image manifest under the configured tag;
4. start the data plane on loopback (the ALB's listeners as launched, the Cognito hosted UI, the
   ALB's public keys), serving that certificate, and the task runner, which runs
   `local_app_command` for each task the launched service wants;
5. `sceptre launch local --yes`, then show the outputs (the health hook prints its verdict);
6. stop what it started, unless asked to keep it running.

What runs is recorded in `.local/state.json` so a kept environment can be reused or stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import boto3

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.aws_environment import only_emulator
from sceptre_fargate_cognito.config_schema import ConfigError, load_environment
from sceptre_fargate_cognito.local_env import (
    certificate_authority,
    emulator_process,
    processes,
    seed,
    task_runner,
)
from sceptre_fargate_cognito.local_env.data_plane import server as data_plane
from sceptre_fargate_cognito.project import project_root
from sceptre_fargate_cognito.sceptre_command import SCEPTRE

PROJECT_ROOT = project_root()
# The image platform for each task architecture (X86_64 -> amd64): the local image matches the task.
PLATFORM_ARCHITECTURES = {
    name: platform.split("/")[1] for name, platform in rules.CPU_ARCHITECTURE_PLATFORMS.items()
}
ENVIRONMENT = "local"


class StepFailed(RuntimeError):
    """One step of the local launch failed; the message says which and why."""


@dataclass
class State:
    """What a local environment has running, as recorded in .local/state.json."""

    endpoint: str = ""
    emulator_pid: int = 0
    data_plane_pid: int = 0
    runner_pid: int = 0
    https_port: int = 0
    http_port: int = 0
    keys_port: int = 0
    ca_bundle: str = ""
    certificate_arn: str = ""
    image_digest: str = ""


@dataclass
class LocalEnvironment:
    """A running local environment; `env` runs sceptre (or boto3) against it."""

    workdir: Path
    settings: dict
    state: State
    emulator: emulator_process.Emulator | None = None
    data_plane: data_plane.DataPlaneProcess | None = None
    runner: task_runner.RunnerProcess | None = None
    log: Callable[[str], object] = print
    env: dict = field(default_factory=dict)
    project: Path = PROJECT_ROOT

    def sceptre(
        self, *args: str, input: str | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess:
        """Run `sceptre <args>` in the project against this environment; output is captured."""
        return subprocess.run(
            [str(SCEPTRE), *args],
            cwd=self.project,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.state.endpoint,
            region_name=self.settings["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    @property
    def app_url(self) -> str:
        """The application's URL through the local data plane."""
        return f"https://{self.settings['domain_name']}:{self.state.https_port}/"

    def stop(self) -> None:
        """Stop the task runner (and so its tasks), the data plane and the emulator this environment
        started or reused (by pid). The runner goes first, while the emulator still answers it."""
        if self.runner is not None:
            self.runner.stop()
        elif self.state.runner_pid:
            processes.terminate(self.state.runner_pid)
            processes.wait_gone(self.state.runner_pid, timeout=40)
        if self.data_plane is not None:
            self.data_plane.stop()
        elif self.state.data_plane_pid:
            processes.terminate(self.state.data_plane_pid)
        if self.emulator is not None:
            self.emulator.stop()
        elif self.state.emulator_pid:
            processes.terminate(self.state.emulator_pid)
        state_file(self.workdir).unlink(missing_ok=True)


def state_file(workdir: Path) -> Path:
    return workdir / "state.json"


def outbox(workdir: Path) -> Path:
    """Where the emulator writes the email Cognito would send: one file a message."""
    return workdir / "outbox"


def _alive(state: State) -> bool:
    try:
        os.kill(state.emulator_pid, 0)
        urllib.request.urlopen(f"{state.endpoint}/moto-api/", timeout=2).close()
        return True
    except (OSError, ValueError):
        return False


def local_image_seed(repository: str, tag: str) -> str:
    """What the local image's content (so its digest) is made from: one image per repository:tag."""
    return f"{repository}:{tag}"


def start(
    workdir: Path | None = None, *, emulator_port: int = 0, log=print, project: Path = PROJECT_ROOT
) -> LocalEnvironment:
    """Steps 1-4: a running emulator with the certificate and image, and the data plane.

    `project` is the Sceptre project to read config/ from (a copy, in tests that change it)."""
    workdir = Path(workdir or PROJECT_ROOT / ".local")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        settings = load_environment(project, ENVIRONMENT)
    except ConfigError as err:
        raise StepFailed(f"reading config/{ENVIRONMENT}: {err}") from err
    local = LocalEnvironment(workdir, settings, State(), log=log, project=project)

    # 1. the emulator
    previous = _read_state(workdir)
    if previous and _alive(previous):
        local.state = previous
        log(f"[1/5] reusing the emulator at {previous.endpoint} (pid {previous.emulator_pid})")
    else:
        try:
            local.emulator = emulator_process.start(
                port=emulator_port,
                log_path=workdir / "emulator.log",
                require_service_linked_roles=True,
                outbox=outbox(workdir),
            )
        except emulator_process.EmulatorError as err:
            raise StepFailed(f"[1/5] starting the emulator: {err}") from err
        local.state = State(endpoint=local.emulator.endpoint, emulator_pid=local.emulator.pid)
        log(
            f"[1/5] emulator listening at {local.emulator.endpoint} (pid {local.emulator.pid}, log {workdir / 'emulator.log'})"
        )
    log(
        f"[1/5] email Cognito would send (invitations, with their temporary password) goes to "
        f"{outbox(workdir)}/, one file a message"
    )
    state_file(workdir).write_text(json.dumps(asdict(local.state)))
    domain, region = settings["domain_name"], settings["region"]
    try:
        # 2. a certificate the resolver finds and the data plane serves (the hosted UI's names too)
        if not local.state.certificate_arn:
            ca = certificate_authority.make_ca(workdir / "ca", "sceptre-fargate-cognito local CA")
            leaf = certificate_authority.issue(
                ca, [domain, *data_plane.hosted_ui_names(region)], directory=workdir / "ca"
            )
            local.state.ca_bundle = str(ca.cert_path)
            local.state.certificate_arn = local.client("acm").import_certificate(
                Certificate=leaf.pem(),
                PrivateKey=leaf.key_pem(),
                CertificateChain=ca.cert_path.read_bytes(),
            )["CertificateArn"]
            (workdir / "server.pem").write_bytes(leaf.fullchain_path.read_bytes())
            (workdir / "server.key").write_bytes(leaf.key_pem())
        log(
            f"[2/5] certificate for {domain} from a throwaway CA ({local.state.ca_bundle}) in ACM: {local.state.certificate_arn}"
        )

        # 3. the image
        repository, tag = settings["image_repository"], settings["image_tag"]
        ecr = local.client("ecr")
        with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
            ecr.create_repository(repositoryName=repository)
        with contextlib.suppress(ecr.exceptions.ImageAlreadyExistsException):
            local.state.image_digest = seed.push_image_with_config(
                repository,
                tag,
                local_image_seed(repository, tag),
                architecture=PLATFORM_ARCHITECTURES[settings["cpu_architecture"]],
                client=ecr,
            )
        log(f"[3/5] image {repository}:{tag} in ECR ({local.state.image_digest})")

        # 4. the data plane: what the launched listeners, user pools and targets say, on loopback
        if local.state.data_plane_pid:
            log(
                f"[4/5] reusing the data plane on https://127.0.0.1:{local.state.https_port} (pid {local.state.data_plane_pid})"
            )
        else:
            local.data_plane = data_plane.start_process(
                workdir / "server.pem",
                workdir / "server.key",
                region=region,
                env=only_emulator(local.state.endpoint, region),
                log_path=workdir / "data-plane.log",
            )
            local.state.data_plane_pid = local.data_plane.pid
            local.state.https_port, local.state.http_port = (
                local.data_plane.https_port,
                local.data_plane.http_port,
            )
            local.state.keys_port = local.data_plane.keys_port
            log(
                f"[4/5] data plane: the ALB's 443 on https://127.0.0.1:{local.state.https_port}, its 80 on "
                f"http://127.0.0.1:{local.state.http_port}, the hosted UI on "
                f"https://*.auth.{region}.localhost:{local.state.https_port}, the ALB's public keys on "
                f"http://127.0.0.1:{local.state.keys_port} (pid {local.state.data_plane_pid}, log {workdir / 'data-plane.log'})"
            )
        # The task runner: ECS's scheduler and agent on loopback (it waits for the service).
        if local.state.runner_pid:
            log(f"[4/5] reusing the task runner (pid {local.state.runner_pid})")
        else:
            stack = f"{settings['project_code']}-{ENVIRONMENT}-alb-ecs"
            local.runner = task_runner.start_process(
                stack,
                settings["local_app_command"],
                project,
                env=only_emulator(local.state.endpoint, region),
                log_path=workdir / "task-runner.log",
            )
            local.state.runner_pid = local.runner.pid
            log(
                f"[4/5] task runner (pid {local.state.runner_pid}, log {workdir / 'task-runner.log'}) runs "
                f"{' '.join(settings['local_app_command'])} for each task of {stack}'s service"
            )
    except StepFailed:
        local.stop()
        raise
    except Exception as err:
        local.stop()
        raise StepFailed(f"preparing the emulator: {type(err).__name__}: {err}") from err
    state_file(workdir).write_text(json.dumps(asdict(local.state)))

    local.env = only_emulator(local.state.endpoint, region) | {
        "LOCAL_ALB_HTTPS_PORT": str(local.state.https_port),
        "LOCAL_ALB_HTTP_PORT": str(local.state.http_port),
        "LOCAL_AUTH_PUBLIC_KEYS_URL": f"http://127.0.0.1:{local.state.keys_port}",
        # Chromium resolves *.localhost to loopback by itself: this URL opens with no hosts entry.
        "LOCAL_APP_URL": f"https://{domain}:{local.state.https_port}",
        # The health check trusts the throwaway CA (and only it) in this environment.
        "SSL_CERT_FILE": local.state.ca_bundle,
    }
    return local


def launch(local: LocalEnvironment) -> None:
    """Step 5: `sceptre launch local --yes`, streaming its output, then the stack outputs."""
    local.log("[5/5] sceptre launch local --yes")
    started = time.monotonic()
    result = subprocess.run([str(SCEPTRE), "launch", ENVIRONMENT, "--yes"], cwd=local.project, env=local.env)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise StepFailed(
            f"[5/5] sceptre launch local exited {result.returncode} after {elapsed:.1f} s (output above)"
        )
    local.log(f"launched in {elapsed:.1f} s; stack outputs:")
    outputs = local.sceptre("--output", "yaml", "list", "outputs", ENVIRONMENT)
    local.log(outputs.stdout.strip() or outputs.stderr.strip())


def _read_state(workdir: Path) -> State | None:
    """The recorded state; a state file of an older version (other fields) is ignored."""
    if not state_file(workdir).exists():
        return None
    try:
        return State(**json.loads(state_file(workdir).read_text()))
    except (TypeError, ValueError):
        return None


def stop_kept(workdir: Path) -> bool:
    """Stop what a `--keep` run left running. True if there was something to stop."""
    state = _read_state(workdir)
    if state is None:
        return False
    LocalEnvironment(workdir, {}, state).stop()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/launch-local", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the emulator, the data plane and the task runner (the app) running, to explore them with sceptre and a browser",
    )
    parser.add_argument("--stop", action="store_true", help="stop what an earlier --keep left running")
    parser.add_argument("--port", type=int, default=0, help="emulator port (default: a free one)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=PROJECT_ROOT / ".local",
        help="where the CA, certificate, logs and state.json go (default: .local)",
    )
    args = parser.parse_args(argv)
    workdir = args.state_dir
    if args.stop:
        print("stopped the kept local environment" if stop_kept(workdir) else "nothing was running")
        return 0

    def log(message: str) -> None:
        print(f"==> {message}", flush=True)

    started = time.monotonic()
    try:
        local = start(workdir, emulator_port=args.port, log=log)
    except StepFailed as err:
        print(f"FAILED: {err}", file=sys.stderr)
        return 1
    try:
        launch(local)
    except StepFailed as err:
        print(f"FAILED: {err}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            exports = " ".join(
                f"{k}={local.env[k]}"
                for k in (
                    "AWS_ENDPOINT_URL",
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_DEFAULT_REGION",
                    "LOCAL_APP_URL",
                    "LOCAL_ALB_HTTPS_PORT",
                    "LOCAL_ALB_HTTP_PORT",
                    "LOCAL_AUTH_PUBLIC_KEYS_URL",
                    "SSL_CERT_FILE",
                )
            )
            log("kept running. To use sceptre against it:")
            print(
                f"    export {exports}\n    .venv/bin/sceptre list outputs local\n"
                f"    .venv/bin/webctl users local invite you@example.com   # the invitation: {outbox(workdir)}/\n"
                f"    bin/launch-local --stop      # when done",
                flush=True,
            )
        else:
            local.stop()
            log("stopped the task runner and its tasks, the data plane and the emulator")
    log(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
