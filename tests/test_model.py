"""The typed model: what each rule reads, and which gegevens each path to an outcome needs."""

from __future__ import annotations

from regel.compiler import loads
from regel.compiler.model import Read, reads

from .conftest import HEADER

PATHS = (
    HEADER
    + """
gegevens
  leeftijd_klant: jaren
  inkomen: bedrag per maand
  vermogen: bedrag
  student: ja/nee
  gehuwd: ja/nee
  soort: een van eerste, herhaal
uitkomsten
  toeslag: bedrag per maand
  korting: getal
artikel 1
  tekst "t"
  lid 1
    begrip arm "met een laag inkomen": inkomen minder dan € 1.000,00 per maand
  lid 2
    regel basis
      toeslag is € 1.000,00 per maand - inkomen
      als arm en leeftijd_klant minstens 18 jaar
  lid 3
    regel hoog
      in afwijking van artikel 1 lid 2
      toeslag is € 50,00 per maand
      als vermogen meer dan € 10.000,00 en soort is herhaal
artikel 2
  tekst "t"
  regel studenten
    in afwijking van regel basis
    niet van toepassing
    als student
  regel korting_gehuwd
    korting is 1
    als gehuwd en peildatum later dan 01-06-2011
"""
)


def test_each_path_to_an_outcome_says_what_its_condition_and_its_value_need() -> None:
    analysis = loads(PATHS).analysis
    paths = analysis.paths("t", "toeslag")
    assert [(p.rule.node.name, p.beaten_by) for p in paths] == [
        ("hoog", ()),
        ("studenten", ()),
        ("basis", ("hoog", "studenten")),
    ]
    need = {p.rule.node.name: (p.condition, p.value) for p in paths}
    # The condition reads through the begrip to its gegevens; the value only what the
    # condition did not already need.
    assert need["basis"] == ({("t", "inkomen"), ("t", "leeftijd_klant")}, set())
    assert need["hoog"] == ({("t", "vermogen"), ("t", "soort")}, set())
    assert need["studenten"] == ({("t", "student")}, set())
    # An outcome may read what any of its paths reads, and nothing else.
    assert analysis.outcome_inputs("t", "toeslag") == {
        ("t", name) for name in ("inkomen", "leeftijd_klant", "vermogen", "soort", "student")
    }
    assert analysis.outcome_inputs("t", "korting") == {("t", "gehuwd")}


def test_what_a_rule_reads_is_in_the_order_written_without_choice_values() -> None:
    info = loads(PATHS).analysis.regs["t"]
    hoog, gehuwd = info.rules["hoog"].node, info.rules["korting_gehuwd"].node
    assert reads(hoog.condition, hoog.value) == [Read("input", "vermogen"), Read("input", "soort")]
    assert reads(gehuwd.condition) == [Read("input", "gehuwd"), Read("peildatum", "peildatum")]
    basis = info.rules["basis"].node
    assert [r.label for r in reads(basis.condition, basis.value)] == [
        "arm",
        "leeftijd_klant",
        "inkomen",
    ]


def test_a_value_that_reads_more_than_its_condition_needs_it_only_when_the_rule_applies() -> None:
    text = PATHS.replace(
        "toeslag is € 50,00 per maand\n", "toeslag is € 50,00 per maand + inkomen\n"
    )
    hoog = next(p for p in loads(text).analysis.paths("t", "toeslag") if p.rule.node.name == "hoog")
    assert hoog.value == {("t", "inkomen")}
