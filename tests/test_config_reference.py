"""The key table of docs/configuration.md is the schema's, generated, never edited by hand."""

from __future__ import annotations

from sceptre_fargate_cognito.config_schema import KEYS
from sceptre_fargate_cognito.config_schema.reference import PAGE, in_page, markdown_table
from templates import PROJECT_ROOT


def test_the_configuration_page_key_table_is_the_one_the_schema_generates():
    page = (PROJECT_ROOT / PAGE).read_text()
    assert in_page(page) == markdown_table(), (
        f"{PAGE}'s key table is stale: run .venv/bin/python -m sceptre_fargate_cognito.config_schema.reference --write"
    )


def test_the_generator_writes_the_table_into_the_configuration_page_and_nothing_else(tmp_path):
    from sceptre_fargate_cognito.config_schema.reference import END, START, write

    page = tmp_path / "configuration.md"
    page.write_text(f"# Title\n\nbefore\n\n{START}\n| stale |\n{END}\n\nafter\n")
    write(page)
    assert page.read_text() == f"# Title\n\nbefore\n\n{START}\n{markdown_table()}{END}\n\nafter\n"


def test_the_table_shows_every_key_with_its_default_and_valid_values():
    table = markdown_table()
    for key in KEYS:
        assert f"| `{key.name}` |" in table
    assert "| `log_retention_days` | number | `30` | 1, 3, 5," in table
    assert "| `region` | text | required |" in table
