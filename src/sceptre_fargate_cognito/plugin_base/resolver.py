"""What every resolver of the project does the same way: its argument checked when Sceptre reads
the config, before any AWS call, with one clear error naming the resolver and its accepted forms."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from sceptre.resolvers import Resolver

from sceptre_fargate_cognito.plugin_base.arguments import ArgumentProblem


class ProjectResolver(Resolver):
    """A resolver whose `parse_argument` raises ArgumentProblem for an argument it cannot take."""

    tag: ClassVar[str]  # the YAML tag, without "!"
    accepted_forms: ClassVar[str]  # what to write instead, shown under every argument error

    @staticmethod
    @abstractmethod
    def parse_argument(argument: Any) -> Any:
        """The argument in the form `resolve` uses; raises ArgumentProblem for one it cannot take."""

    def setup(self):
        # The raw argument: reading self.argument here would resolve nested resolvers at load time.
        try:
            type(self).parse_argument(self._argument)
        except ArgumentProblem as problem:
            self.raise_invalid_argument_error(f"!{self.tag}: {problem}\n{self.accepted_forms}")
