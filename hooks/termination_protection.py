"""`!termination_protection <true|false>`: CloudFormation termination protection as stack config.

    hooks:
      before_update:     # runs on every launch of an existing stack, even with nothing to update
        - !termination_protection {{ env.deletion_protection | tojson }}
      after_create:
        - !termination_protection {{ env.deletion_protection | tojson }}

Sceptre has no config key for it. The hook sets the stack's EnableTerminationProtection to the
argument (so switching it off in config takes effect too), and only when it differs. A stack whose
creation failed is left alone: protecting it would stop the next `sceptre launch` from deleting
and re-creating it.
"""

from __future__ import annotations

from sceptre.exceptions import SceptreException

from sceptre_fargate_cognito.plugin_base.hook import ProjectHook, parse_flag


class TerminationProtectionError(SceptreException):
    """The hook's argument is not a boolean, or CloudFormation refused the change."""


class TerminationProtection(ProjectHook):
    tag = "!termination_protection"

    def setup(self):
        # At config load, before anything is launched.
        self.enabled = parse_flag(self.argument, self.where, TerminationProtectionError)

    def run(self):
        state = self.deployed_stack()
        if state is None:
            return
        if state.termination_protection == self.enabled:
            self.logger.info("%s: termination protection already %s", self.tag, _word(self.enabled))
            return
        self.call(
            "cloudformation",
            "update_termination_protection",
            {"StackName": self.stack.external_name, "EnableTerminationProtection": self.enabled},
        )
        self.logger.info("%s: termination protection %s", self.tag, _word(self.enabled))


def _word(enabled: bool) -> str:
    return "on" if enabled else "off"
