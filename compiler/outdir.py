"""Output folders that regel may replace: only its own, and only once the new one is complete.

`regel docs` and `regel vertaal` both write into folders the user names. A typo or `--uit .`
must never wipe the user's files, and a failed build must not leave half a result behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def replaceable(folder: Path, sign: Path, header: str | None = None) -> bool:
    """May a build replace `folder`? Yes if it is absent or empty, or carries our sign: the file
    `sign` exists (and, given a `header`, starts with it)."""
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    if not any(folder.iterdir()):
        return True
    if not sign.is_file():
        return False
    if header is None:
        return True
    with sign.open(encoding="utf-8", errors="replace") as f:
        return f.read(len(header)) == header


def swap_in(built: Path, target: Path) -> None:
    """Put a complete build in place of `target` (same file system, so a rename)."""
    if target.exists():
        shutil.rmtree(target)
    built.rename(target)
