"""The `sceptre` command that belongs to this Python: the one installed in the same environment
(bin/ of the venv), not whichever `sceptre` comes first on PATH, so the plugins it loads are ours."""

from __future__ import annotations

import sys
from pathlib import Path

SCEPTRE = Path(sys.executable).parent / "sceptre"
