"""Where the Sceptre project is: the folder a command works on (config/, templates/, emulator/).

Found from the working directory, not from this package's location, so an installed copy
(`pip install .`) works as well as an editable one: Sceptre itself runs from the project folder.
"""

from __future__ import annotations

from pathlib import Path


class NotInProject(RuntimeError):
    """The working directory is not inside the project."""


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (the working directory) holding config/config.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "config.yaml").is_file():
            return folder
    raise NotInProject(
        f"{here} is not inside the project: run this from the folder that holds config/config.yaml"
    )
