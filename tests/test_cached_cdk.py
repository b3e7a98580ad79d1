"""The network stack's CDK synth is cached on disk, keyed by everything that shapes it."""

from __future__ import annotations

import shutil

import pytest

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
    cached = list((project / ".cache" / "cdk-synth").iterdir())
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
