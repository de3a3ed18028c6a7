from __future__ import annotations

import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
PEIL = datetime.date(2011, 9, 1)

HEADER = """verordening t "Testverordening"
  vastgesteld door de raad op 01-01-2011
  geldig van 01-01-2011 tot en met 31-12-2011
"""


@pytest.fixture
def header() -> str:
    return HEADER
