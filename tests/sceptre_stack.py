"""Real Sceptre Stack objects for tests that call a resolver or a hook in-process."""

from __future__ import annotations

from sceptre.stack import Stack

REGION = "eu-west-1"


def make_stack(
    name: str = "dev/alb-ecs",
    region: str = REGION,
    profile: str | None = None,
    sceptre_role: str | None = None,
    parameters: dict | None = None,
) -> Stack:
    """A stack in the emulator's region; its parameters are resolved when read."""
    return Stack(
        name=name,
        project_code="t",
        region=region,
        profile=profile,
        sceptre_role=sceptre_role,
        template_handler_config={"type": "file", "path": "templates/alb-ecs.yaml.j2"},
        parameters=parameters or {},
    )


def hook_for(hook_class, argument, stack_name: str = "dev/alb-ecs"):
    """The hook as Sceptre builds it: cloned for the stack, which runs setup()."""
    return hook_class(argument).clone_for_stack(make_stack(stack_name))
