"""Checks an environment's values against the schema (keys.py) before any AWS call.

Every problem is reported at once, each naming the key, the file (and line) to fix, and how:
the closest known key for a typo, the quoted line to write where YAML changed a value's type.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.config_schema import api, app_platform
from sceptre_fargate_cognito.config_schema.keys import (
    BY_NAME,
    KEYS,
    LOCAL_ENVIRONMENT,
    LOCAL_ONLY,
    SCEPTRE_KEYS,
    SCEPTRE_RENDER_VALUES,
    Key,
)
from sceptre_fargate_cognito.health_check.options import InvalidOptions, check_values


class ConfigError(ValueError):
    """An environment's config.yaml is missing a value or holds a malformed or unknown one."""


@dataclass(frozen=True)
class Source:
    """One config file as written (before Jinja), to point at the line to fix."""

    label: str  # config/prod/config.yaml
    text: str

    def find(self, key: str, nested: bool = False) -> tuple[int, str] | None:
        """(line number, value as written) of the line that sets `key`, or None."""
        indent = r"[ \t]+" if nested else ""
        line = re.compile(rf"^{indent}{re.escape(key)}[ \t]*:[ \t]*(.*?)[ \t]*$")
        for number, text in enumerate(self.text.splitlines(), 1):
            found = line.match(text)
            if found:
                return number, re.sub(r"(^|\s+)#.*$", "", found.group(1))
        return None


def sources_for(project_path, environment: str) -> list[Source]:
    """The config.yaml files an environment reads, project-wide first, each as written."""
    config = Path(project_path) / "config"
    parts = [part for part in environment.split("/") if part]
    folders = [config] + [config.joinpath(*parts[: i + 1]) for i in range(len(parts))]
    files = [folder / "config.yaml" for folder in folders]
    return [Source(str(file.relative_to(project_path)), file.read_text()) for file in files if file.is_file()]


def validate(values: dict, environment: str, sources: Sequence[Source] = ()) -> dict:
    """The environment's settings (every schema key, defaults filled in), or ConfigError.

    `values` are the merged values of the environment's config files; `sources` those files as
    written, the environment's last (a key set in several is reported where it wins).
    """
    own = f"config/{environment}/config.yaml"
    sources = list(sources)
    problems: list[tuple[str, str]] = []  # (file, message)

    def where(key: str, nested: bool = False) -> tuple[str, str]:
        for source in reversed(sources):
            found = source.find(key, nested)
            if found:
                return source.label, f"{source.label} line {found[0]}"
        return own, own

    for name in sorted(set(values) - set(BY_NAME) - SCEPTRE_KEYS - SCEPTRE_RENDER_VALUES):
        file, place = where(name)
        problems.append(
            (file, f"{name} ({place}) is not a key of this project{_did_you_mean(name, _known())}")
        )

    if environment != LOCAL_ENVIRONMENT:
        for name in LOCAL_ONLY:
            # The default is harmless (settings carry it everywhere); a value someone wrote is not.
            if values.get(name) not in (None, BY_NAME[name].default):
                file, place = where(name)
                problems.append(
                    (
                        file,
                        f"{name} ({place}) applies to the {LOCAL_ENVIRONMENT} environment only (on AWS, ECS runs "
                        f"the image image_repository:image_tag): set it in config/{LOCAL_ENVIRONMENT}/config.yaml",
                    )
                )

    settings = {}
    for key in KEYS:
        value = values.get(key.name)
        if value is None:
            if key.required:
                problems.append((own, f"{key.name} is missing: {key.description}"))
            else:
                settings[key.name] = copy.deepcopy(key.default)
            continue
        try:
            settings[key.name] = _check(key, value)
        except ValueError as err:
            file, place = where(key.name)
            problems.append(
                (file, f"{key.name} is {value!r} ({place}): {err}{_quote_hint(key, value, sources)}")
            )
        if key.options and isinstance(value, dict):
            for option in sorted(set(map(str, value)) - set(key.options)):
                file, place = where(option, nested=True)
                problems.append(
                    (
                        file,
                        f"{key.name}: {option} ({place}) is not an option{_did_you_mean(option, key.options)}",
                    )
                )

    if not problems:
        problems += [(own, message) for message in _cross_checks(settings)]
    if problems:
        files = sorted({file for file, _ in problems}, key=lambda f: (f != own, f))
        raise ConfigError(
            f"environment '{environment}': fix {' and '.join(files)}:\n  - "
            + "\n  - ".join(message for _, message in problems)
        )
    return settings


def _known() -> list[str]:
    return sorted(set(BY_NAME) | SCEPTRE_KEYS)


def _did_you_mean(name: str, known) -> str:
    close = rules.nearest(name, known, n=1)
    return f"; did you mean `{close[0]}`?" if close else f"; the keys are {', '.join(sorted(known))}"


def _check(key: Key, value):
    if key.type is str:
        if not isinstance(value, str):
            raise ValueError(f"expected text: {key.rule.expected if key.rule else 'a string'}")
        if key.empty_is_off and value == "":
            return ""
    elif key.type is int:
        # bool is an int in Python; `true` is never a count.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number ({key.allowed()})")
    elif key.type is bool:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    elif key.type is list:
        if not isinstance(value, list):
            raise ValueError(f"expected a list: {key.rule.expected if key.rule else 'a list'}")
    elif key.type is dict:
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of option: value")
        if key.rule:
            return key.rule.check(value)
        try:
            check_values({k: v for k, v in value.items() if k in key.options})
        except InvalidOptions as err:
            raise ValueError(str(err)) from None
        return value
    return key.rule.check(value) if key.rule else value


def _quote_hint(key: Key, value, sources: list[Source]) -> str:
    """Where YAML turned text into a boolean or a number, the line to write instead."""
    if key.type is not str or not isinstance(value, (bool, int, float)):
        return ""
    written = next((found[1] for s in reversed(sources) if (found := s.find(key.name))), None)
    kind = "a boolean" if isinstance(value, bool) else "a number"
    if not written:
        return f". YAML read an unquoted value as {kind}: quote it"
    # Single quotes: Sceptre prints its errors YAML-escaped, where double quotes come out as \".
    return f". YAML reads the unquoted {written} as {kind}: quote it, write {key.name}: '{written}'"


def _cross_checks(s: dict) -> list[str]:
    problems = []
    if not s["min_capacity"] <= s["desired_count"] <= s["max_capacity"]:
        problems.append(
            f"desired_count {s['desired_count']} must lie between min_capacity "
            f"{s['min_capacity']} and max_capacity {s['max_capacity']}"
        )
    if s["nat_gateways"] > s["az_count"]:
        problems.append(f"nat_gateways {s['nat_gateways']} is more than az_count {s['az_count']}")
    if s["nat_gateways"] == 0 and s["vpc_endpoints"] is False:
        problems.append(
            "nat_gateways is 0 and vpc_endpoints is false: tasks could not pull images; enable one"
        )
    if s["memory"] not in rules.FARGATE_SIZES[s["cpu"]]:
        valid = rules.FARGATE_SIZES[s["cpu"]]
        problems.append(
            f"memory {s['memory']} is not valid with cpu {s['cpu']} on Fargate: "
            f"choose from {valid[0]} to {valid[-1]} in steps of {valid[1] - valid[0]}"
        )
    problems += app_platform.cross_checks(s)
    problems += api.cross_checks(s, app_platform.health_paths(s))
    if s["alarm_email"] and s["alarm_topic_arn"]:
        problems.append(
            "alarm_email and alarm_topic_arn are both set: the alarms notify one topic; subscribe the"
            " address to alarm_topic_arn, or remove alarm_topic_arn to have a topic created for it"
        )
    if s["waf"] and s["waf_web_acl_arn"]:
        problems.append(
            "waf is true and waf_web_acl_arn is set: the ALB takes one web ACL; remove waf to use"
            " yours, or remove waf_web_acl_arn to have the edge stack create one"
        )
    if s["invitation_email_identity"] and not s["invitation_email_from"]:
        problems.append(
            "invitation_email_identity is set but invitation_email_from is not: set the sender "
            "address invitations come from, or remove invitation_email_identity"
        )
    elif s["invitation_email_from"] and not rules.ses_identity_covers(
        s["invitation_email_identity"] or rules.sender_address(s["invitation_email_from"]),
        s["invitation_email_from"],
    ):
        problems.append(
            f"invitation_email_identity {s['invitation_email_identity']} cannot send as "
            f"{rules.sender_address(s['invitation_email_from'])} (invitation_email_from): SES sends as an "
            "address only from that address's identity or its domain's"
        )
    if s["access_log_bucket"] and not s["access_logs"]:
        problems.append("access_log_bucket is set but access_logs is false: remove one of them")
    return problems


def load_environment(project_root, environment: str, environment_variables=None) -> dict:
    """An environment's settings as Sceptre sees them (root config.yaml, then the environment's,
    each rendered with Jinja first), validated. For tools outside Sceptre: bin/launch-local, tests."""
    import os

    import jinja2
    import yaml

    config = Path(project_root) / "config"
    values: dict = {}
    for path in (config / "config.yaml", config / environment / "config.yaml"):
        if not path.is_file():
            raise ConfigError(f"environment '{environment}': {path} does not exist")
        text = jinja2.Template(path.read_text()).render(
            stack_group_path=environment,
            environment_variable=os.environ if environment_variables is None else environment_variables,
        )
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(
                f"environment '{environment}': {path} must hold key: value pairs, not a {type(loaded).__name__}"
            )
        values.update(loaded)
    return values | validate(values, environment=environment, sources=sources_for(project_root, environment))
