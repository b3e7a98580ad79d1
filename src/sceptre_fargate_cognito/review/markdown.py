"""Renders StackChanges as the Markdown a reviewer reads (a PR comment, a job summary)."""

from __future__ import annotations

from sceptre_fargate_cognito.review.resource_changes import ResourceChange
from sceptre_fargate_cognito.review.stack_changes import ParameterChange, StackChanges, placeholder
from sceptre_fargate_cognito.review.update_behaviour import MAY_REPLACE, REPLACE

MAX_VALUE = (
    400  # characters of a parameter value shown (an image URI with its digest fits); the rest is elided
)
_PAST = {"Add": "added", "Modify": "modified", "Remove": "removed"}
_REPLACEMENT_WORDS = {REPLACE: "**replace**", MAY_REPLACE: "**may replace**"}


def marker(environment: str) -> str:
    """An invisible line that identifies the report of an environment (to update one PR comment)."""
    return f"<!-- diff-report:{environment} -->"


def render(environment: str, stacks: list[StackChanges]) -> str:
    lines = [marker(environment), f"## `sceptre diff {environment}`", ""]
    call_outs = [(s, r) for s in stacks for r in s.call_outs]
    exposure = [(s, e) for s in stacks for e in s.exposure]
    if call_outs or exposure:
        lines.append("> [!CAUTION]")
    if call_outs:
        lines.append("> **This change replaces or removes stateful or public resources:**")
        for stack, change in call_outs:
            lines.append(f"> - {_call_out(stack, change)}")
    if call_outs and exposure:
        lines.append(">")
    if exposure:
        lines.append("> **This change alters who may reach what (network exposure):**")
        for stack, item in exposure:
            lines.append(f"> - `{stack.name}` {item}")
    if call_outs or exposure:
        lines.append("")
    if not any(s.changed for s in stacks):
        lines += [f"**No change.** Launching `{environment}` now would change nothing.", ""]
    lines += ["| stack | result |", "|---|---|"]
    for stack in stacks:
        lines.append(f"| `{stack.name}` | {_headline(stack)} |")
    lines.append("")
    for stack in stacks:
        lines += _stack_section(stack)
    return "\n".join(lines).rstrip() + "\n"


def _call_out(stack: StackChanges, change: ResourceChange) -> str:
    what = (
        "removed"
        if change.action == "Remove"
        else ("replaced" if change.replacement == REPLACE else "possibly replaced")
    )
    text = f"`{stack.name}`: {change.stateful_or_public} `{change.logical_id}` ({change.type}) will be **{what}**"
    if change.causes:
        text += " — because of " + ", ".join(change.causes)
    if change.retained:
        text += " (the old one is retained, not deleted, by its Retain policy)"
    return text


def _headline(stack: StackChanges) -> str:
    if not stack.deployed:
        return f"**new stack**: {len(stack.resources)} resources to create"
    if not stack.changed:
        return "no change"
    parts = []
    if stack.parameters:
        parts.append(f"{len(stack.parameters)} parameter{'s' * (len(stack.parameters) != 1)}")
    if stack.resources:
        counts = {a: sum(r.action == a for r in stack.resources) for a in ("Add", "Modify", "Remove")}
        replaced = sum(r.action == "Modify" and r.replacement == REPLACE for r in stack.resources)
        words = [f"{n} {_PAST[a]}" for a, n in counts.items() if n]
        parts.append("resources: " + ", ".join(words) + (f" ({replaced} replaced)" if replaced else ""))
    if stack.sections:
        parts.append("template: " + ", ".join(s.split(":")[0] for s in stack.sections))
    if stack.settings:
        parts.append("stack settings")
    return "; ".join(parts)


def _stack_section(stack: StackChanges) -> list[str]:
    title = f"### `{stack.name}` ({stack.external_name})"
    if not stack.changed:
        lines = [title, "", "No change."]
        if stack.masked_parameters:
            lines.append(
                f"NoEcho parameters cannot be compared (CloudFormation never returns them): "
                f"{', '.join(stack.masked_parameters)}."
            )
        return lines + [""]
    lines = [title, ""]
    if not stack.deployed:
        lines += ["Not launched yet: the launch creates it.", ""]
    if stack.parameters:
        lines += ["**Parameters**", "", "| parameter | deployed | after launch |", "|---|---|---|"]
        lines += [_parameter_row(p) for p in stack.parameters] + [""]
    if stack.masked_parameters:
        lines += [
            f"NoEcho parameters cannot be compared (CloudFormation never returns them): "
            f"{', '.join(stack.masked_parameters)}.",
            "",
        ]
    if stack.resources:
        lines += [
            "**Resources**",
            "",
            "| action | logical id | type | replacement | why |",
            "|---|---|---|---|---|",
        ]
        lines += [_resource_row(r) for r in stack.resources] + [""]
    if stack.sections:
        lines += ["**Other template changes**", ""] + [f"- {s}" for s in stack.sections] + [""]
    if stack.settings:
        lines += ["**Stack settings**", ""] + [f"- {_cell(s)}" for s in stack.settings] + [""]
    return lines


def _parameter_row(change: ParameterChange) -> str:
    return f"| `{change.key}` | {_value(change.old)} | {_value(change.new)} |"


def _value(value: str | None) -> str:
    if value is None:
        return "_(not passed: template default)_"
    source = placeholder(value)
    if source:
        return f"_known after its dependency launches_ (`{source}`)"
    if value == "":
        return '`""`'
    if len(value) > MAX_VALUE:
        value = value[:MAX_VALUE] + "…"
    return f"`{_cell(value)}`"


def _resource_row(change: ResourceChange) -> str:
    replacement = _REPLACEMENT_WORDS.get(change.replacement, "no") if change.action == "Modify" else "—"
    action = {"Add": "add", "Remove": "**remove**", "Modify": "modify"}[change.action]
    why = ", ".join(change.causes) if change.causes else ""
    if change.retained:
        why += ("; " if why else "") + "old one retained (Retain policy)"
    return f"| {action} | `{change.logical_id}` | {change.type} | {replacement} | {_cell(why)} |"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
