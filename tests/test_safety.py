"""Nothing from a .regel file is executed as Python: injection through names, strings and titles
stays inert data."""

from __future__ import annotations

from pathlib import Path

from regel.compiler import loads

from .conftest import PEIL

MARKER = Path("/tmp/regel-injectie-marker")

EVIL = '''verordening t "__import__('pathlib').Path('/tmp/regel-injectie-marker').touch()"
  vastgesteld door de raad op 01-01-2011
  geldig van 01-01-2011 tot en met 31-12-2011
gegevens
  __class__: tekst "'); import os; os.system('touch /tmp/regel-injectie-marker') #"
uitkomsten
  __import__: lijst "{{ 7*7 }}"
artikel 1 "'); __import__('os').system('touch /tmp/regel-injectie-marker'); ('"
  tekst """
    __import__('os').system('touch /tmp/regel-injectie-marker')
  """
  regel __builtins__ "eval('1+1')"
    __import__ bevat "__import__('os').system('touch /tmp/regel-injectie-marker')"
    als __class__ is "exec('import os')"
'''


def test_injection_is_inert() -> None:
    MARKER.unlink(missing_ok=True)
    policies = loads(EVIL)
    r = policies.evaluate("t", {"__class__": "exec('import os')"}, PEIL, trace=True)
    assert r["__import__"] == ("__import__('os').system('touch /tmp/regel-injectie-marker')",)
    r.to_json()
    assert not MARKER.exists()
    assert policies.regulations["t"].title.startswith("__import__")
    assert "__import__('os')" in policies.analysis.regs["t"].node.units[0].children[0].text


def test_text_that_tries_to_break_out_of_a_string_does_not_parse() -> None:
    import pytest
    from regel.compiler import CompileError

    with pytest.raises(CompileError):
        loads(EVIL.replace("__import__('os').system", '""" + __import__("os").system'))
    assert not MARKER.exists()
