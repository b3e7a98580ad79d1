"""What every hook of ours shares: AWS calls in the stack's context, messages that say where they
come from, leaving a stack alone when its launch failed, and the parsing of plain flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sceptre.exceptions import SceptreException
from sceptre.hooks import Hook

from sceptre_fargate_cognito import sceptre_waiter, stack_status
from sceptre_fargate_cognito.stack_status import StackState

# Every stack's config names hooks of ours (config/stacks/hooks.j2), so Sceptre imports this module
# before any stack action: where its waiter loses the 4 s sleep after the last status.
sceptre_waiter.install()


def parse_flag(value: Any, where: str, error: type[SceptreException]) -> bool:
    """true/false as YAML booleans or their text (Jinja's `tojson` gives either); else `error`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise error(f"{where} takes true or false, not {value!r}")


class ProjectHook(Hook):
    """A hook of this project; a subclass sets `tag`, its YAML tag such as "!stack_policy"."""

    tag: ClassVar[str]

    @property
    def where(self) -> str:
        """`<stack> - <tag>`, to start error messages: Sceptre prints those without the stack name
        (its log lines already carry it)."""
        name = self.stack.name if self.stack is not None else "?"
        return f"{name} - {self.tag}"

    def call(self, service: str, command: str, kwargs: Mapping[str, Any] | None = None) -> dict:
        """One AWS call with the stack's region, profile and role."""
        return self.stack.connection_manager.call(service, command, dict(kwargs or {}))

    def stack_state(self) -> StackState:
        return stack_status.read(
            lambda command, kwargs: self.call("cloudformation", command, kwargs), self.stack.external_name
        )

    def deployed_stack(self) -> StackState | None:
        """The stack's state if a version of it is deployed (a rolled-back update still serves the
        previous one); None after a failed create, logging one line on why this hook did nothing."""
        state = self.stack_state()
        if state.deployed:
            return state
        self._skip(state)
        return None

    def completed_stack(self) -> StackState | None:
        """The stack's state if its last operation completed; else None, logging why."""
        state = self.stack_state()
        if state.completed:
            return state
        self._skip(state)
        return None

    def _skip(self, state: StackState) -> None:
        # Warning, not error: the failure itself is Sceptre's to report; this hook only stays out of the way.
        self.logger.warning("%s skipped: %s", self.tag, state.describe_problem(then="Nothing done"))
