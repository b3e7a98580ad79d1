"""One environment of the Sceptre project as `webctl` sees it: its stacks, their outputs, and AWS
calls made through each stack's Sceptre connection manager, so the environment's region, profile
and `sceptre_role` apply exactly as in `sceptre launch` (on `local`, AWS_ENDPOINT_URL sends them
to the emulator, as it does for `sceptre`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from sceptre_fargate_cognito.pagination import pages
from sceptre_fargate_cognito.webctl.errors import WebctlError


def environments(project: Path) -> list[str]:
    """The environments of the project: the folders of config/ that hold a config.yaml."""
    return sorted(
        folder.name
        for folder in (project / "config").iterdir()
        if folder.is_dir() and (folder / "config.yaml").is_file()
    )


class Environment:
    """The stacks of `config/<name>/`, read through Sceptre."""

    def __init__(self, name: str, project: Path):
        self.name = name
        self.project = project
        known = environments(project)
        if name not in known:
            raise WebctlError(
                f"no environment {name!r} in {project / 'config'}: the environments are {', '.join(known)}"
            )

    @cached_property
    def _stacks(self) -> dict:
        from sceptre.config.reader import ConfigReader
        from sceptre.context import SceptreContext
        from sceptre.exceptions import SceptreException

        from sceptre_fargate_cognito.config_schema import ConfigError

        # Sceptre's config reader alone, as a plan starts: the plan's dependency graph, which
        # webctl never walks, costs each command about 0.1 s of CPU (networkx).
        context = SceptreContext(command_path=self.name, project_path=str(self.project))
        try:
            stacks, _ = ConfigReader(context).construct_stacks()
        except (SceptreException, ConfigError) as err:
            raise WebctlError(f"reading config/{self.name}: {err}") from err
        return {stack.name.split("/")[-1]: stack for stack in stacks}

    def stack_names(self) -> list[str]:
        """The short names of the environment's stacks (`network`, `alb-ecs`, ...), sorted."""
        return sorted(self._stacks)

    def stack(self, short_name: str):
        """The Sceptre stack `config/<env>/<short_name>.yaml`."""
        try:
            return self._stacks[short_name]
        except KeyError:
            raise WebctlError(
                f"environment {self.name!r} has no stack {short_name!r} (config/{self.name}/{short_name}.yaml)"
            ) from None

    def call(self, stack: str, service: str, command: str, kwargs: Mapping[str, Any] | None = None) -> dict:
        """One AWS call through `stack`'s connection manager; AWS errors become WebctlErrors that
        say what to do (credentials, permissions); others propagate for the caller to explain."""
        from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError
        from sceptre.exceptions import InvalidAWSCredentialsError

        target = self.stack(stack)
        try:
            return target.connection_manager.call(service, command, dict(kwargs or {}))
        except (NoCredentialsError, InvalidAWSCredentialsError) as err:
            raise WebctlError(
                f"no AWS credentials for environment {self.name!r} (region {target.region}"
                f"{', profile ' + target.profile if target.profile else ''}): sign in (e.g. `aws sso login`) "
                "or export credentials, then run again"
            ) from err
        except NoRegionError as err:
            raise WebctlError(
                f"no region for environment {self.name!r}: set `region` in config/{self.name}/config.yaml"
            ) from err
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if (
                code
                in {
                    "AccessDenied",
                    "AccessDeniedException",
                    "UnauthorizedOperation",
                    "NotAuthorizedException",
                }
                and service != "cognito-idp"
            ):
                raise WebctlError(
                    f"not allowed: {service}:{command} in environment {self.name!r} was refused "
                    f"({err.response['Error'].get('Message', code)}); use credentials whose role allows it"
                ) from err
            raise

    def paginate(
        self, stack: str, service: str, command: str, token_key: str, kwargs: Mapping[str, Any] | None = None
    ) -> Iterator[dict]:
        """Every page of a paginated call through `stack`'s connection manager."""
        return pages(lambda arguments: self.call(stack, service, command, arguments), token_key, kwargs or {})

    def describe(self, stack: str) -> dict:
        """The CloudFormation description of a launched stack; an error naming the stack if it is not."""
        from botocore.exceptions import ClientError

        external_name = self.stack(stack).external_name
        try:
            return self.call(stack, "cloudformation", "describe_stacks", {"StackName": external_name})[
                "Stacks"
            ][0]
        except ClientError as err:
            if "does not exist" in str(err):
                raise WebctlError(
                    f"stack {external_name} ({self.name}/{stack}.yaml) is not launched: run "
                    f"`sceptre launch {self.name}` first"
                ) from err
            raise

    def outputs(self, stack: str) -> dict[str, str]:
        """The outputs of a launched stack, by key."""
        return {o["OutputKey"]: o["OutputValue"] for o in self.describe(stack).get("Outputs", [])}

    def output(self, stack: str, key: str) -> str:
        """One output of a launched stack; an error naming it if the stack lacks it."""
        outputs = self.outputs(stack)
        if key not in outputs:
            raise WebctlError(
                f"stack {self.stack(stack).external_name} has no output {key!r}: it was launched from an older "
                f"template; run `sceptre launch {self.name}` to update it"
            )
        return outputs[key]
