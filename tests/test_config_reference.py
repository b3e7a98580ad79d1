"""The README's table of environment keys is the schema's, generated, never edited by hand."""

from __future__ import annotations

from sceptre_fargate_cognito.config_schema import KEYS
from sceptre_fargate_cognito.config_schema.reference import in_readme, markdown_table
from templates import PROJECT_ROOT


def test_the_readme_key_table_is_the_one_the_schema_generates():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert in_readme(readme) == markdown_table(), (
        "README.md's key table is stale: run .venv/bin/python -m sceptre_fargate_cognito.config_schema.reference --write"
    )


def test_the_table_shows_every_key_with_its_default_and_valid_values():
    table = markdown_table()
    for key in KEYS:
        assert f"| `{key.name}` |" in table
    assert "| `log_retention_days` | number | `30` | 1, 3, 5," in table
    assert "| `region` | text | required |" in table
