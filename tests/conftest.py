"""Fixtures shared by every test (the emulator on loopback), and the tiers: each test is marked
`fast`, `sceptre_cli`, `emulator` or `end_to_end` from what it uses (tests/tiers.py), so
`bin/test --fast` runs the first alone and the parallel run keeps what shares state together."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import tiers

from sceptre_fargate_cognito.local_env import emulator_process

pytest_plugins = ("health_check_support", "resolver_support", "alb_token_support")

BIN = Path(sys.executable).parent


def _needs() -> tiers.Needs:
    import cdk_app
    import local_project

    import templates
    from sceptre_fargate_cognito.local_env import launch
    from sceptre_fargate_cognito.template_handlers.cached_cdk import CachedCdk

    return tiers.Needs(
        {
            tiers.EMULATOR: [
                emulator_process.start,
                emulator_process.MOTO_PYTHON,
                launch.start,
                local_project.start_local,
                launch.__name__,  # `python -m` it: the whole local launch
            ],
            tiers.SCEPTRE_CLI: [
                launch.__name__,
                CachedCdk,
                "import aws_cdk",
                "network.py",  # the CDK app: loading it starts jsii's Node runtime
                templates.template,
                templates.SCEPTRE,
                local_project.run_sceptre,
                launch.launch,
                # Console scripts that run Sceptre's config reading and plans in their own process.
                BIN / "webctl",
                BIN / "diff-report",
                # checkov: half a minute of CPU a run, as slow as a synth.
                Path(__file__).resolve().parent.parent / ".venv-checkov" / "bin" / "checkov",
            ],
            tiers.CDK_IN_PROCESS: [cdk_app.network_module, CachedCdk],
        }
    )


RUN_FOLDERS = {
    # Each stack of each environment generated once per run, by whichever worker asks first.
    "GENERATED_TEMPLATES_DIR": "generated",
    # The network stack's CDK synth cached per run, shared by every copy of the project a test
    # launches: new with each run, so the first synth of each input is a real one.
    "SCEPTRE_CDK_CACHE_DIR": "cdk-synth",
}


def _share_botocore_data() -> None:
    """Every boto3/botocore session a test process makes reads botocore's service models through
    one loader, which keeps what it read, as in the emulator (its botocore_data_loaded_once): each
    new session (tests make one per test, and Sceptre one per stack) used to scan botocore's data
    folder and parse the models again. Measured on tests/test_acm_certificate_arn.py: 4.3 of its
    13 s of CPU. Sessions made by the programs the tests run are left as they are."""
    from emulator.patches import botocore_data_loaded_once  # botocore alone: no moto here

    botocore_data_loaded_once.install()


def pytest_configure(config):
    _share_botocore_data()
    for tier in tiers.TIERS:
        config.addinivalue_line("markers", f"{tier}: set by tests/conftest.py from what the test uses")
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller made the run's folders, its environment has them
    run = Path(tempfile.mkdtemp(prefix="sceptre-fargate-cognito-tests-"))
    config._run_folder = run
    for variable, name in RUN_FOLDERS.items():
        (run / name).mkdir()
        os.environ[variable] = str(run / name)


def pytest_unconfigure(config):
    run = getattr(config, "_run_folder", None)
    if run is not None:
        shutil.rmtree(run, ignore_errors=True)
        for variable in RUN_FOLDERS:
            os.environ.pop(variable, None)


def _group(item, needs: set[str]) -> str | None:
    """Tests that share a module's use of a launch, or any module-scoped fixture, run on the same
    worker, one after another."""
    if "launched_local" in item.fixturenames:
        # Per module: modules run on several workers at once, each worker launching `local` once
        # for the modules it gets.
        return f"launched_local:{item.module.__name__}"
    for name in item.fixturenames:
        definitions = item._fixtureinfo.name2fixturedefs.get(name, ())
        # A module-scoped fixture is set up once per worker that runs one of its tests: a launch,
        # an emulator state, a scan of every template (checkov: 7.6 s of CPU). Once, on one worker.
        if definitions and definitions[-1].scope == "module":
            return item.module.__name__
    if tiers.CDK_IN_PROCESS in needs:
        # Importing aws_cdk and starting jsii's Node costs a worker seconds of CPU: one pays it.
        return tiers.CDK_IN_PROCESS
    return None


# First: pytest-xdist reads the xdist_group marks in its own collection hook (into the node ids it
# schedules by), so they must be on the items before it runs (tests/test_parallel_run_groups.py).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    needs_of = _needs()
    counts = dict.fromkeys(tiers.TIERS, 0)
    for item in items:
        needs: set[str] = set()
        functions = [item.function] if hasattr(item, "function") else []
        for name in item.fixturenames:
            needs |= tiers.FIXTURE_NEEDS.get(name, set())
            for definition in item._fixtureinfo.name2fixturedefs.get(name, ()):
                functions.append(definition.func)
        needs |= needs_of.of_functions(functions)
        tier = tiers.tier_of(needs)
        counts[tier] += 1
        item.add_marker(getattr(pytest.mark, tier))
        group = _group(item, needs)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    config._tier_counts = counts


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """With `-m fast`, say how many tests were left to the slower tiers and how to run them; and
    write the outcome counts where bin/test adds up its runs (TEST_COUNTS_FILE)."""
    if os.environ.get("TEST_COUNTS_FILE") and not hasattr(config, "workerinput"):
        stats = terminalreporter.stats
        counted = {key: len(stats.get(key, [])) for key in ("passed", "failed", "skipped", "error")}
        Path(os.environ["TEST_COUNTS_FILE"]).write_text(json.dumps(counted))
    if config.getoption("markexpr") == "fast":
        # Run in parallel, only the workers collect: they send their counts (below).
        counts = getattr(config, "_tier_counts", {})
        slower = {tier: n for tier, n in counts.items() if tier != "fast" and n}
        if slower:
            detail = ", ".join(f"{n} {tier}" for tier, n in slower.items())
            terminalreporter.write_line(
                f"skipped as slower: {sum(slower.values())} tests ({detail}); run them with `bin/test` "
                "(everything) or e.g. `bin/test -m emulator`"
            )


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        session.config.workeroutput["tier_counts"] = getattr(session.config, "_tier_counts", {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller of a parallel run keeps the tier counts a worker collected (all collect the same)."""
    counts = getattr(node, "workeroutput", {}).get("tier_counts")
    if counts:
        node.config._tier_counts = counts


SLOWER_PROGRAMS = {"sceptre", "webctl", "diff-report"}
SLOWER_ARGUMENTS = ("jsii-runtime", "sceptre_fargate_cognito.local_env.launch")


@pytest.fixture(autouse=True)
def _fast_tier_guard(request, monkeypatch):
    """A test marked `fast` that starts the emulator or a `sceptre` process fails, naming what the
    tier detection missed, instead of quietly making the fast tier slow."""
    if request.node.get_closest_marker("fast") is None:
        return

    def refuse(what: str):
        raise AssertionError(
            f"{request.node.nodeid} was put in the fast tier but {what}: tests/conftest.py's _needs() "
            "does not know the helper it went through; add it there"
        )

    class Guarded(subprocess.Popen):
        def __init__(self, args, *more, **options):
            words = [str(a) for a in args] if isinstance(args, list | tuple) else str(args).split()
            if Path(words[0]).name in SLOWER_PROGRAMS:
                refuse(f"runs {Path(words[0]).name}")
            slower = [
                word
                for word in words[1:]
                if any(Path(word).name == a or (a != "emulator" and a in word) for a in SLOWER_ARGUMENTS)
            ]
            if slower:
                refuse(f"runs {' '.join(words[:3])} (the emulator, the local launch or the CDK synth)")
            super().__init__(args, *more, **options)

    monkeypatch.setattr(subprocess, "Popen", Guarded)
    monkeypatch.setattr(emulator_process, "start", lambda *a, **k: refuse("starts the emulator"))


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One real emulator server for the session (moto + the project's extensions) on 127.0.0.1;
    the email it would send goes to `emulator.outbox`."""
    folder = tmp_path_factory.mktemp("emulator")
    server = emulator_process.start(log_path=folder / "emulator.log", outbox=folder / "outbox")
    try:
        yield server
    finally:
        server.stop()


def point_at(emulator, monkeypatch) -> None:
    """Send boto3 and Sceptre to this emulator, with its dummy credentials."""
    for name, value in emulator.aws_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws(emulator, monkeypatch):
    """A clean emulator for one test, with boto3/Sceptre pointed at it through the environment."""
    emulator.reset()
    point_at(emulator, monkeypatch)
    return emulator


@pytest.fixture(scope="module")
def module_aws(emulator):
    """A clean emulator for a whole module, whose tests share what one launch made."""
    emulator.reset()
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_at(emulator, monkeypatch)
        yield emulator


@pytest.fixture(scope="session")
def launched_local(tmp_path_factory):
    """The `local` environment launched with `sceptre launch local --yes` on its own emulator,
    from a copy of the project (tests may change its config and must put it back). The modules a
    worker runs share it: the users a module makes carry the module's own tag (ada.door@…)."""
    from local_project import start_local

    local = start_local(tmp_path_factory.mktemp("launched-local"))
    try:
        result = local.sceptre("launch", "local", "--yes")
        assert result.returncode == 0, result.stdout + result.stderr
        yield local
    finally:
        local.stop()
