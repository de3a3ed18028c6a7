"""The Python example in the README runs and says what it claims."""

from __future__ import annotations

import os
import re

from .conftest import ROOT


def test_readme_python_example() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope: dict = {}
        exec(compile(code, "README.md", "exec"), scope)  # our own README, not policy text
    finally:
        os.chdir(cwd)
    besluit = scope["besluit"]
    assert besluit["aanspraak_voorziening"] is False
    assert besluit.outcomes["aanspraak_voorziening"].rules == ("artikel 3 lid 2",)
