"""The repository explains itself: no tracked file points outside it for a reason (the notes the
project was started from are not part of a clone); the reasons are in docs/decisions.md."""

from __future__ import annotations

import subprocess

from templates import PROJECT_ROOT

# Written in two halves so that this file does not name what it looks for.
OUTSIDE = "../" + "shared"
NOTES = ("FACTS" + ".md", "DESIGN" + ".md")


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def files_naming(text: str) -> list[str]:
    needle = text.encode()
    return [
        name
        for name in tracked_files()
        if (PROJECT_ROOT / name).is_file() and needle in (PROJECT_ROOT / name).read_bytes()
    ]


def test_no_tracked_file_refers_to_the_shared_folder_outside_the_repository():
    assert files_naming(OUTSIDE) == [], (
        f"these refer to {OUTSIDE}, which a clone lacks: link docs/decisions.md"
    )


def test_no_tracked_file_cites_notes_a_clone_does_not_have():
    for notes in NOTES:
        assert files_naming(notes) == [], f"these cite {notes}, which a clone lacks: link docs/decisions.md"
