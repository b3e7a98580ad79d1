"""Read Markdown as GitHub renders it, for the link tests: headings and their anchors, and links.

Only what the project's pages use: ATX headings (`## Title`), inline links `[text](target)` and
reference definitions `[name]: target`; fenced code blocks and inline code are not Markdown.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
INLINE_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # http:, https:, mailto: ...


@dataclass(frozen=True)
class Link:
    page: Path
    line: int
    target: str


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of every line outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def headings(text: str) -> list[str]:
    """Each heading's text, as written (inline code and links still marked up)."""
    return [m[2] for _, line in prose_lines(text) if (m := HEADING.match(line))]


def rendered(heading: str) -> str:
    """The heading's text as GitHub shows it: code spans keep their text (`<env>` too), links their
    text; HTML tags and emphasis marks outside code are dropped."""
    parts = INLINE_CODE.split(heading)  # text, fence, code, text, fence, code, ...
    out = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)
            out.append(re.sub(r"<[^>]+>", "", part).replace("*", ""))
        elif kind == 2:
            out.append(part.strip())
    return "".join(out)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (not - or _), spaces to -."""
    return re.sub(r"[^\w\- ]", "", rendered(heading).strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor GitHub gives the page's headings: a repeated one gets -1, -2, ... as it recurs."""
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    # Explicit HTML anchors, <a id="..."> or <a name="...">, count too.
    result |= set(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
    return result


def links(page: Path) -> Iterator[Link]:
    """Every link target on the page, outside code."""
    for number, line in prose_lines(page.read_text()):
        if m := REFERENCE.match(line):
            yield Link(page, number, m[1])
            continue
        for match in INLINE_LINK.finditer(INLINE_CODE.sub("", line)):
            yield Link(page, number, match[2])


def markdown_files(root: Path) -> list[Path]:
    """Every Markdown file git tracks in the project."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.md"], cwd=root, capture_output=True, check=True
    ).stdout.decode()
    return sorted(root / name for name in listed.split("\0") if name)


def broken(link: Link, root: Path) -> str | None:
    """Why the link does not resolve, or None. External links are not followed (no network)."""
    target = link.target
    if not target or EXTERNAL.match(target):
        return None
    path_part, _, anchor = target.partition("#")
    destination = (link.page.parent / path_part).resolve() if path_part else link.page
    if not destination.is_relative_to(root.resolve()):
        return f"{target} leads outside the repository"
    if not destination.exists():
        return f"{target}: {destination.relative_to(root.resolve())} does not exist"
    if anchor and destination.suffix == ".md" and anchor not in anchors(destination.read_text()):
        return f"{target}: {destination.name} has no heading with the anchor #{anchor}"
    return None


# The project's top-level folders: a code span that starts with one of them names a file or folder.
PROJECT_FOLDERS = (
    ".ci/",
    ".github/",
    "benchmarks/",
    "bin/",
    "config/",
    "docs/",
    "emulator/",
    "hooks/",
    "requirements/",
    "resolvers/",
    "sample_app/",
    "src/",
    "templates/",
    "tests/",
)


def named_paths(page: Path) -> Iterator[Link]:
    """Every repository path the page names in a code span outside code blocks (`templates/x.yaml`),
    except patterns and placeholders (`config/<env>/config.yaml`, `tests/test_emulator_*.py`)."""
    for number, line in prose_lines(page.read_text()):
        for match in INLINE_CODE.finditer(line):
            text = match[2].strip()
            if text.startswith(PROJECT_FOLDERS) and not re.search(r"[\s<>*{}$]", text):
                yield Link(page, number, text.split("::")[0].rstrip(".,"))


def section(text: str, heading: str) -> str | None:
    """The text under `heading` (as written), up to the next heading of its level or above; None
    if the page has no such heading. Lines in code blocks are text, never headings."""
    lines = text.splitlines()
    prose = dict(prose_lines(text))
    start = level = None
    for number, line in prose.items():
        match = HEADING.match(line)
        if not match:
            continue
        if start is None and match[2] == heading:
            start, level = number, len(match[1])
        elif start is not None and level is not None and len(match[1]) <= level:
            return "\n".join(lines[start : number - 1])
    return None if start is None else "\n".join(lines[start:])
