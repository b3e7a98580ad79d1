"""`type: cached_cdk`: sceptre-cdk-handler's `cdk` template handler, with its synth cached on disk.

Importing aws_cdk and synthesising costs several seconds on every Sceptre command that touches
the stack (launch, diff, generate), although the result only changes when its inputs do. The
cache key covers every input of the synth: the handler arguments, sceptre_user_data, the source
of every .py file under templates/ and the versions of the CDK packages. A miss runs the real
handler (which validates its arguments and checks node/cdk-assets) and stores what it returned,
so a hit always stands for a run of the real handler on identical inputs. Commands that miss on
the same key at once (parallel jobs) wait for one synth: a lock file beside the cached template.
Set SCEPTRE_CDK_CACHE=off to bypass it, or SCEPTRE_CDK_CACHE_DIR to keep it elsewhere than the
project's .cache/cdk-synth (the tests keep one per run, shared by every copy of the project).

jsii runs the CDK in a Node process; jsii supports Node ^22 and ^24 and prints an end-of-life
banner on older ones, so the synth runs on the Node that bin/setup installs from the npm registry
(package.json) unless JSII_NODE names another.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sceptre.template_handlers import TemplateHandler

PACKAGES = ("sceptre-cdk-handler", "aws-cdk-lib", "constructs", "jsii", "cdk-bootstrapless-synthesizer")


def use_project_node(project_path: Path) -> None:
    """Point jsii at the project's Node (node_modules/.bin/node) when there is one and no JSII_NODE."""
    node = project_path / "node_modules" / ".bin" / "node"
    if "JSII_NODE" not in os.environ and node.exists():
        os.environ["JSII_NODE"] = str(node)


class CachedCdk(TemplateHandler):
    def schema(self):
        # The real handler validates on a miss; a hit is a run of it on these very arguments.
        return {"type": "object"}

    def handle(self) -> str:
        key = self._key()
        if key is None:
            return self._synth()
        path = self._cache_dir() / f"{key}.yaml"
        if path.is_file():
            self.logger.debug("CDK synth cache hit %s", path.name)
            return path.read_text()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Commands started together (parallel CI jobs, test workers) that miss on one key wait for
        # a single synth instead of each paying its seconds of CPU; a failed synth leaves no file,
        # so the next in line runs its own and reports its own error.
        with _exclusive(path.with_suffix(".lock")):
            if path.is_file():
                self.logger.debug(
                    "CDK synth cache hit %s (synthesised meanwhile by another command)", path.name
                )
                return path.read_text()
            template = self._synth()
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(template)
            partial.replace(path)  # atomic: a reader that does not wait never sees half a file
        return template

    def _synth(self) -> str:
        self.logger.info("synthesising the CDK stack (a cache miss: 6-10 s)")
        use_project_node(Path(self.stack_group_config["project_path"]))
        from sceptre_cdk_handler.cdk import CDK  # costs seconds: only on a miss

        real = CDK(
            self.name,
            self.arguments,
            self.sceptre_user_data,
            self.connection_manager,
            self.stack_group_config,
        )
        real.validate()
        return real.handle()

    def _cache_dir(self) -> Path:
        if os.environ.get("SCEPTRE_CDK_CACHE_DIR"):
            return Path(os.environ["SCEPTRE_CDK_CACHE_DIR"])
        return Path(self.stack_group_config["project_path"]) / ".cache" / "cdk-synth"

    def _key(self) -> str | None:
        if os.environ.get("SCEPTRE_CDK_CACHE", "").lower() in ("off", "0", "false", "no"):
            return None
        try:
            inputs = json.dumps([self.arguments, self.sceptre_user_data], sort_keys=True)
        except TypeError:
            return None  # an input that is not plain data (a resolver): never cache
        digest = hashlib.sha256(inputs.encode())
        templates = Path(self.stack_group_config["project_path"]) / "templates"
        for source in sorted(templates.rglob("*.py")):
            digest.update(str(source.relative_to(templates)).encode() + b"\0" + source.read_bytes())
        for package in PACKAGES:
            try:
                digest.update(f"{package}=={version(package)}".encode())
            except PackageNotFoundError:
                digest.update(f"{package} missing".encode())
        return digest.hexdigest()


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on lock_path: one holder at a time, across processes and threads (each
    open() is its own lock owner); the kernel releases it if the holder dies."""
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
