"""The reference tables of the docs say what the code does: each is checked against its source.
(The environment-key table of docs/configuration.md is generated from the schema:
tests/test_config_reference.py.)"""

from __future__ import annotations

import dataclasses
import re

from tiers import TIERS

from sceptre_fargate_cognito.health_check.options import HOOK_ONLY, Target
from templates import PROJECT_ROOT

HEALTH_CHECK = (PROJECT_ROOT / "docs" / "health-check.md").read_text()


def table_after(heading: str, page: str = HEALTH_CHECK) -> dict[str, list[str]]:
    """The first Markdown table after `heading`: first cell (without backticks) -> the other cells."""
    section = page[page.index(heading) :]
    table, started = {}, False
    for line in section.splitlines():
        if line.startswith("|"):
            started = True
            match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
            if match:
                table[match[1]] = [cell.strip() for cell in match[2].split("|")]
        elif started:
            break
    assert table, f"no table after {heading}"
    return table


def test_the_health_check_option_table_lists_every_option_and_its_default():
    table = table_after("## Configuring it per environment")
    fields = {field.name: field for field in dataclasses.fields(Target)}
    assert set(table) == set(fields) | set(HOOK_ONLY)
    for name, field in fields.items():
        default = field.default
        if isinstance(default, (bool, int, float, str)) and not isinstance(
            default, type(dataclasses.MISSING)
        ):
            shown = str(default).lower() if isinstance(default, bool) else str(default).removesuffix(".0")
            assert f"`{shown}`" in table[name][1], (
                f"{name}: docs/health-check.md says {table[name][1]}, the code {shown}"
            )


def test_docs_developing_names_every_test_tier_with_its_command():
    developing = (PROJECT_ROOT / "docs" / "developing.md").read_text()
    table = developing[developing.index("| tier (pytest marker) |") :].split("\n\n")[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|.*\| `([^`]+)` \|$", table, re.M)}
    assert set(rows) == set(TIERS)
    assert rows["fast"] == "bin/test --fast"
    assert all(rows[tier] == f"bin/test -m {tier}" for tier in TIERS if tier != "fast")
