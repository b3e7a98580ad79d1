"""The README is a front door: short, its two commands first, a map of every page in docs/; and
every section it used to hold has a place in docs/ where its text now lives (issue 24)."""

from __future__ import annotations

import re
import subprocess

import pytest
from markdown_links import headings, links, section

from templates import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()

# The README's first two commands, word for word: tests/test_workflows.py, .ci/run and
# benchmarks/setup_from_nothing.py run them as written here.
FIRST_COMMANDS = """\
bin/launch-local   # launch every stack, resolver and the health check on a local AWS emulator (no AWS account)
bin/test           # install everything from nothing (Python envs, emulator, npm), then lint, types and the whole test suite
"""

# The README before it became a front door (the last commit of main that held all 1071 lines).
LONG_README = "0d65281"

# Every heading of that README -> where its text lives now: (page, heading there, a sentence of
# the section, word for word, as a witness that the text moved with its heading).
MOVED = {
    "What it launches": (
        "docs/architecture.md",
        "What it launches",
        "so the network stack config runs `!close_default_security_group` after",
    ),
    "What the application gets": (
        "docs/application-contract.md",
        "What the application gets",
        "A share of requests, not a count: a fixed count would fire on a busy prod's normal background of",
    ),
    "People who may sign in: webctl users": (
        "docs/operating.md",
        "People: `webctl users`",
        "The user pool is invitation only: nobody can sign up, so every user is invited by an operator.",
    ),
    "Access logs and alarms": (
        "docs/operating.md",
        "Access logs and alarms",
        "`SizeRestrictions_Cookie_HEADER` (the ALB's session cookie, sharded into several 4 KB cookies)",
    ),
    "Environments": (
        "docs/configuration.md",
        "Environments",
        "`config/` to it. Sceptre reads only `.yaml` files as stack configs, so the shared `.j2` files are",
    ),
    "Preflight: nothing changes unless it will work": (
        "docs/configuration.md",
        "Preflight: nothing changes unless it will work",
        "The hook is on every stack because Sceptre runs a stack's hooks when that stack's turn comes, and",
    ),
    "Right the first time on AWS": (
        "docs/configuration.md",
        "Right the first time on AWS",
        "- **Images**: the app image (and `init_image`, if set) in ECR in `region`, with a `linux/<arch>`",
    ),
    "Scratch space: a writable `/tmp` on a read-only root": (
        "docs/configuration.md",
        "Scratch space: a writable `/tmp` on a read-only root",
        "endpoints. If your image has no `sh` (distroless, scratch), push a small one that has (e.g.",
    ),
    "Bedrock: foundation models and inference profiles": (
        "docs/configuration.md",
        "Bedrock: foundation models and inference profiles",
        "Geographies read as profiles: `us`, `us-gov`, `eu`, `apac`, `jp`, `au`, `ca`, `global`.",
    ),
    "Without NAT gateways: endpoints for what the application calls": (
        "docs/configuration.md",
        "Without NAT gateways: endpoints for what the application calls",
        "and log, but every DynamoDB or Bedrock call would time out.",
    ),
    "Before the first prod launch": (
        "docs/configuration.md",
        "Before the first prod launch",
        "(`MaximumPercent: 200`): prod's 12 x 0.5 vCPU needs 12 vCPUs; new accounts may start lower;",
    ),
    "Resolvers: `!acm_certificate_arn` and `!ecr_image`": (
        "docs/configuration.md",
        "Resolvers: `!acm_certificate_arn` and `!ecr_image`",
        "Arguments are checked when the config loads, before any AWS call. Each distinct argument is",
    ),
    "`!acm_certificate_arn`": (
        "docs/configuration.md",
        "`!acm_certificate_arn`",
        "An ISSUED certificate past its NotAfter is not used.",
    ),
    "`!ecr_image`": (
        "docs/configuration.md",
        "`!ecr_image`",
        "which Fargate would only find out when it pulls, mid-deploy. For an image index / manifest list,",
    ),
    "Errors you can meet": (
        "docs/configuration.md",
        "Errors you can meet",
        "Each is one line from `sceptre` (a Sceptre error, no traceback), prefixed with the stack name.",
    ),
    "Health check after launch: `!https_health_check`": (
        "docs/health-check.md",
        "Health check after launch: `!https_health_check`",
        "It never follows a redirect. TLS verification cannot be switched off. Without `ca_bundle`, the",
    ),
    "Configuring it per environment": (
        "docs/health-check.md",
        "Configuring it per environment",
        "argument that is itself a resolver is checked once it has been resolved.",
    ),
    "Reading its output": (
        "docs/health-check.md",
        "Reading its output",
        "- `[retry in N s]`: the service can still heal, and the check will try again.",
    ),
    "Running it by hand": (
        "docs/health-check.md",
        "Running it by hand",
        "is required, because there is no stack to read it from. A check is switched off with",
    ),
    "The `local` environment (no AWS account)": (
        "docs/local.md",
        "The `local` environment (no AWS account)",
        "6. stops the task runner (and with it every task), the data plane and the emulator — unless `--keep`.",
    ),
    "The application on `local` (the task runner)": (
        "docs/local.md",
        "The application on `local` (the task runner)",
        "  without `--keep` stop every task. Tasks never outlive the runner: the kernel kills them if it dies.",
    ),
    "The emulator": (
        "docs/local.md",
        "The emulator",
        "It emulates the AWS *API* only, and where AWS refuses something (deleting a protected ALB, a taken",
    ),
    "Review, deploys and production safety": (
        "docs/review-and-ci.md",
        "Review, deploys and CI",
        "safety rails that guard a launch, and drift detection, are the operator's:",
    ),
    "How review works": (
        "docs/review-and-ci.md",
        "How review works",
        'every stack says "no change" (the tests check this on `local`). Exit status: **0** no change,',
    ),
    "How to read the report": (
        "docs/review-and-ci.md",
        "How to read the report",
        "- **Summary table**: one row per stack: `no change`, `new stack`, or counts of changed parameters",
    ),
    "How deploys are promoted": (
        "docs/review-and-ci.md",
        "How deploys are promoted",
        "a launch is never cancelled half-way):",
    ),
    "AWS credentials: OIDC, no stored keys": (
        "docs/review-and-ci.md",
        "AWS credentials: OIDC, no stored keys",
        "request, including one from a fork's branch, can therefore never change an environment. The deploy",
    ),
    "Production safety rails": (
        "docs/operating.md",
        "Production safety rails",
        "**The user pool is never replaced, in any environment.** Replacing it would lose every user and",
    ),
    "Changes made by hand: drift detection": (
        "docs/operating.md",
        "Changes made by hand: drift detection",
        "what it finds: the next launch otherwise silently keeps or overwrites the hand-made change.",
    ),
    "Developing": (
        "docs/developing.md",
        "Developing",
        "`bin/setup` installs, idempotently and with [uv](https://docs.astral.sh/uv/) (itself from PyPI, into",
    ),
}


def test_the_readme_is_250_lines_or_fewer():
    assert len(README.splitlines()) <= 250


def test_the_readmes_first_two_commands_come_first_word_for_word():
    first_block = re.search(r"^```bash\n(.*?)^```", README, re.M | re.S)
    assert first_block and first_block[1] == FIRST_COMMANDS
    assert README.index(FIRST_COMMANDS) < README.index("\n## ")


def test_the_readme_quick_starts_local_with_a_browser_sign_in_and_aws_with_the_first_user():
    sections = headings(README)
    assert any("local" in h and "sign" in h for h in sections) and any("AWS" in h for h in sections)
    assert "webctl users local invite" in README and ".local/outbox/" in README and "LOCAL_APP_URL" in README
    assert "webctl users prod invite" in README and "sceptre launch prod" in README


def test_the_readme_maps_every_page_in_docs():
    linked = {link.target.partition("#")[0] for link in links(PROJECT_ROOT / "README.md")}
    pages = {f"docs/{page.name}" for page in (PROJECT_ROOT / "docs").glob("*.md")}
    assert pages - linked == set(), "pages of docs/ the README's map does not link"


@pytest.mark.parametrize("old_heading", MOVED)
def test_every_old_readme_section_lives_on_in_docs(old_heading):
    page, heading, witness = MOVED[old_heading]
    text = (PROJECT_ROOT / page).read_text()
    text_of_section = section(text, heading)
    assert text_of_section is not None, f"{page} has no heading {heading!r}"
    assert witness in text_of_section, f"{page}, section {heading!r}, lost: {witness!r}"


def test_the_map_of_moved_sections_names_every_heading_the_long_readme_had():
    shown = subprocess.run(
        ["git", "show", f"{LONG_README}:README.md"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        pytest.skip(f"this checkout has no commit {LONG_README} (a shallow clone): {shown.stderr.strip()}")
    old = [h for h in headings(shown.stdout) if not shown.stdout.startswith(f"# {h}\n")]
    assert sorted(old) == sorted(MOVED)
