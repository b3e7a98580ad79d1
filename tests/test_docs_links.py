"""Every relative link in the project's Markdown leads somewhere: the file exists, and an #anchor
names a heading of the target page as GitHub makes anchors. External links are not followed."""

from __future__ import annotations

from markdown_links import Link, anchors, broken, links, markdown_files, named_paths, section, slug

from templates import PROJECT_ROOT


def test_every_relative_link_and_anchor_in_the_markdown_resolves():
    pages = markdown_files(PROJECT_ROOT)
    assert PROJECT_ROOT / "README.md" in pages and PROJECT_ROOT / "docs" / "decisions.md" in pages
    problems = [
        f"{link.page.relative_to(PROJECT_ROOT)}:{link.line}: {why}"
        for page in pages
        for link in links(page)
        if (why := broken(link, PROJECT_ROOT))
    ]
    assert not problems, "links that lead nowhere:\n" + "\n".join(problems)


def test_every_repository_path_the_readme_and_docs_name_exists():
    # CHANGELOG.md is left out: it records paths as they were.
    pages = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    missing = [
        f"{path.page.relative_to(PROJECT_ROOT)}:{path.line}: {path.target}"
        for page in pages
        for path in named_paths(page)
        if not (PROJECT_ROOT / path.target).exists()
    ]
    assert not missing, "paths the docs name that do not exist:\n" + "\n".join(missing)


def test_anchors_are_made_as_github_makes_them():
    assert (
        slug("Resolvers: `!acm_certificate_arn` and `!ecr_image`")
        == "resolvers-acm_certificate_arn-and-ecr_image"
    )
    assert slug("The `local` environment (no AWS account)") == "the-local-environment-no-aws-account"
    assert (
        slug("Invitation email: Cognito's sender or yours (SES)")
        == "invitation-email-cognitos-sender-or-yours-ses"
    )
    assert slug("`webctl status <env>`") == "webctl-status-env"
    assert anchors("# A\n\n## A\n\n```bash\n# not a heading\n```\n## A\n") == {"a", "a-1", "a-2"}


def test_a_section_runs_to_the_next_heading_of_its_level_and_a_comment_in_code_is_no_heading():
    page = "# Page\n\n## One\n\nfirst\n\n```bash\n# a comment\n```\n\n### Sub\n\nsub\n\n## Two\n\nsecond\n"
    assert section(page, "One") == "\nfirst\n\n```bash\n# a comment\n```\n\n### Sub\n\nsub\n"
    assert section(page, "Two") == "\nsecond"
    assert section(page, "Three") is None


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path):
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Page\n\n## Real heading\n\n[ok](#real-heading) [ok](../README.md) [web](https://example.com/x)\n"
        "[gone](#no-such-heading) [gone](missing.md) `[in code](missing.md)`\n"
        "```\n[in a fence](missing.md)\n```\n"
    )
    (tmp_path / "README.md").write_text("# Readme\n")
    found = [why for link in links(page) if (why := broken(link, tmp_path))]
    assert found == [
        "#no-such-heading: page.md has no heading with the anchor #no-such-heading",
        "missing.md: docs/missing.md does not exist",
    ]
    assert (
        broken(Link(page, 1, "../../outside.md"), tmp_path) == "../../outside.md leads outside the repository"
    )
