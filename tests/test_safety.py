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


def test_generated_code_holds_source_text_only_as_literals() -> None:
    import ast
    import builtins
    import re

    from regel import runtime as rt
    from regel.compiler.api import analyse_sources
    from regel.compiler.codegen import generate

    name = "x\nimport os\nos.system('touch /tmp/regel-injectie-marker')\n.regel"
    analysis, diagnostics = analyse_sources({name: EVIL})
    assert not [d for d in diagnostics if d.is_error]
    code = generate(analysis, {name: EVIL}, "t")
    tree = ast.parse(code)
    generated = re.compile(
        r"(K\d+|F\d+|waarom_\d+|(begrip|norm|voorwaarde|waarde|besluit|REGEL|UITKOMST|[ibr])_\w+"
        r"|invulling_\d+"
        r"|g\d+|GEGEVENS|REGELING|c|inputs|peildatum|checked|judged|found|value|why|datetime)$"
    )
    allowed = set(rt.__all__) | {"Any", "Mapping", "Decimal", "annotations"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert generated.match(node.id) or node.id in allowed or hasattr(builtins, node.id)
            assert node.id not in ("eval", "exec", "compile", "open", "__import__"), node.id
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [node.module] if isinstance(node, ast.ImportFrom) else []
            modules += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            assert set(modules) <= {
                "__future__",
                "datetime",
                "collections.abc",
                "decimal",
                "typing",
                "regel.runtime",
            }, modules
    # The file name reaches a comment, but only as one line.
    assert "\nimport os" not in code
