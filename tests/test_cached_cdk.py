"""The network stack's CDK synth is cached on disk, keyed by everything that shapes it."""

from __future__ import annotations

import fcntl
import shutil
import threading
from pathlib import Path

import pytest
from waiting import wait_for

from sceptre_fargate_cognito.template_handlers.cached_cdk import CachedCdk
from templates import PROJECT_ROOT, stack_config

ARGUMENTS = dict(stack_config("dev", "network").template_handler_config)
ARGUMENTS.pop("type")
USER_DATA = dict(stack_config("dev", "network")._sceptre_user_data)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("SCEPTRE_CDK_CACHE", raising=False)
    monkeypatch.delenv("SCEPTRE_CDK_CACHE_DIR", raising=False)
    shutil.copytree(PROJECT_ROOT / "templates", tmp_path / "templates")
    monkeypatch.chdir(PROJECT_ROOT)  # where node_modules/cdk-assets is, as for sceptre itself
    return tmp_path


def handler(project, user_data=USER_DATA):
    return CachedCdk("dev/network", dict(ARGUMENTS), dict(user_data), None, {"project_path": str(project)})


def test_a_second_generation_is_served_from_the_cache_and_is_identical(project):
    first = handler(project).handle()
    cached = list((project / ".cache" / "cdk-synth").glob("*.yaml"))
    assert len(cached) == 1
    assert handler(project).handle() == first
    assert "AWS::EC2::VPC" in first


def test_changing_the_settings_changes_the_key(project):
    assert handler(project)._key() != handler(project, USER_DATA | {"az_count": 3})._key()


def test_changing_the_stack_source_changes_the_key(project):
    before = handler(project)._key()
    with (project / "templates" / "network.py").open("a") as source:
        source.write("\n# an edit\n")
    assert handler(project)._key() != before


def test_the_cache_can_be_switched_off(project, monkeypatch):
    monkeypatch.setenv("SCEPTRE_CDK_CACHE", "off")
    assert handler(project)._key() is None


def test_the_cache_can_be_kept_elsewhere(project, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.setenv("SCEPTRE_CDK_CACHE_DIR", str(elsewhere))
    assert handler(project)._cache_dir() == elsewhere
    assert handler(project)._key() is not None


def blocked_on(lock_path: Path) -> bool:
    """Some process or thread waits for the flock on lock_path (Linux lists waiters with `->`)."""
    inode = f":{lock_path.stat().st_ino} "
    return any("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


def test_a_generation_that_misses_while_another_synthesises_waits_and_takes_its_template(project):
    first = handler(project)
    cached = project / ".cache" / "cdk-synth" / f"{first._key()}.yaml"
    cached.parent.mkdir(parents=True)
    lock_path = cached.with_suffix(".lock")
    got = []
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a synth in another command holds it
        waiter = threading.Thread(target=lambda: got.append(first.handle()))
        waiter.start()
        wait_for("the second generation waiting for the lock", lambda: blocked_on(lock_path), timeout=30)
        cached.write_text("the other command's template\n")
        fcntl.flock(lock, fcntl.LOCK_UN)
    waiter.join(timeout=60)
    assert got == ["the other command's template\n"], "it synthesised again instead of waiting"
