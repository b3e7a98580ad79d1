"""`!termination_protection <true|false>`: CloudFormation termination protection as stack config.

    hooks:
      before_update:     # runs on every launch of an existing stack, even with nothing to update
        - !termination_protection {{ env.deletion_protection | tojson }}
      after_create:
        - !termination_protection {{ env.deletion_protection | tojson }}

Sceptre has no config key for it. The hook sets the stack's EnableTerminationProtection to the
argument (so switching it off in config takes effect too), and only when it differs. A stack whose creation failed is left alone: protecting it would stop the next
`sceptre launch` from deleting and re-creating it.
"""

from __future__ import annotations

from sceptre.exceptions import SceptreException
from sceptre.hooks import Hook

from sceptre_fargate_cognito.hooks import stack_status

# States in which a stack holds nothing to protect and Sceptre must be free to delete it.
_NOTHING_TO_PROTECT = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
        "DELETE_FAILED",
        "REVIEW_IN_PROGRESS",
    }
)


class TerminationProtectionError(SceptreException):
    """The hook's argument is not a boolean, or CloudFormation refused the change."""


def parse_flag(value, hook_name: str) -> bool:
    """true/false as YAML booleans or their text (Jinja's `tojson` gives either)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TerminationProtectionError(f"{hook_name} takes true or false, not {value!r}")


class TerminationProtection(Hook):
    def setup(self):
        # At config load, before anything is launched.
        self.enabled = parse_flag(self.argument, f"{self._where()}")

    def run(self):
        name = self.stack.external_name
        state = stack_status.read(self._call, name)
        if not state.exists or state.status in _NOTHING_TO_PROTECT:
            self.logger.info(
                "%s: stack %s is %s, termination protection left alone",
                self._where(),
                name,
                state.status or "absent",
            )
            return
        current = self._call("describe_stacks", {"StackName": name})["Stacks"][0].get(
            "EnableTerminationProtection", False
        )
        if current == self.enabled:
            self.logger.info("%s: termination protection already %s", self._where(), _word(self.enabled))
            return
        self._call(
            "update_termination_protection", {"StackName": name, "EnableTerminationProtection": self.enabled}
        )
        self.logger.info("%s: termination protection %s", self._where(), _word(self.enabled))

    def _call(self, command: str, kwargs):
        return self.stack.connection_manager.call("cloudformation", command, dict(kwargs))

    def _where(self) -> str:
        name = self.stack.name if self.stack is not None else "?"
        return f"{name} - !termination_protection"


def _word(enabled: bool) -> str:
    return "on" if enabled else "off"
