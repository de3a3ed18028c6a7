"""Motivations as a client, a judge and a policy writer read them (Awb 3:46).

Golden files: for representative cases of every shipped regulation, the readable motivation
(`Result.text()`, what `regel evalueer --tekst` prints) as reviewed. Regenerate with
`REGEL_GOLDEN_UPDATE=1` and read the diff as a judge would. Besides, every shipped case's JSON
motivation fits the schema the service publishes.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from regel.compiler.api import Policies, load
from regel.compiler.cases import case_inputs, case_options

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "motiveringen"

# (map under policies/, the start of a case's title): each a kind of answer a user meets.
CASES = [
    ("berkelland", "30 jaar, 14 maanden werkloos"),  # a percentage, a cap, norms set by B.6
    ("berkelland", "25 jaar en 11 maanden werkloos"),  # does not arise: 11 < 12 months
    ("berkelland", "nugger zonder gezinsinkomen in de invoer"),  # onbepaald: what is missing
    ("berkelland", "nog niet uitgestroomd en het jaar is nog niet om"),  # left open
    ("berkelland", "traject, 15 km"),  # travel costs
    ("berkelland", "nugger zonder startkwalificatie"),  # 115% of the norm
    ("delft", "bijstandsgerechtigde in Delft, inzet noodzakelijk"),  # an oordeel of the college
    ("delft", "28 uur per week werken"),
    ("delft", "onvolledig: een inwoner van Delft met bijstand"),  # what is still needed
    ("landelijk", "WW: traject binnen één jaar"),
    ("landelijk", "zonder uitkering en niet geregistreerd"),
    ("voorbeeld", "subsidie: 50% met een maximum"),
    ("voorbeeld", "te kort werkloos"),
    ("voorbeeld", "in 2013 geldt de tweede versie"),
    ("voorbeeld", "gebied: in Anderdorp geldt 23 jaar"),  # a gemeente's filling of a law
    ("voorbeeld", "te weinig vrije doorgang"),  # a burgemeester's permit, nested onderdelen
    ("voorbeeld", "een half jaar een terras"),  # € per m² per jaar
    ("voorbeeld", "de zoon van 23 is kostendeler"),  # who in the household counted, and why
    ("voorbeeld", "zonder huishouden"),  # partial: first who lives there
]

_POLICIES: dict[str, Policies] = {}


def _policies(folder: str) -> Policies:
    if folder not in _POLICIES:
        _POLICIES[folder] = load(ROOT / "policies" / folder)
    return _POLICIES[folder]


def _find(policies: Policies, start: str) -> tuple[str, object]:
    for case_file in policies.cases:
        for case in case_file.cases:
            if case.name.startswith(start):
                return case_file.regulation, case
    raise AssertionError(f"geen geval '{start}'")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


@pytest.mark.parametrize(("folder", "title"), CASES, ids=[_slug(t) for _, t in CASES])
def test_motivation_matches_golden(folder: str, title: str) -> None:
    policies = _policies(folder)
    regulation, case = _find(policies, title)
    inputs, peildatum, decision = case_inputs(case)  # type: ignore[arg-type]
    result = policies.evaluate(regulation, inputs, peildatum, decision, True, **case_options(case))
    text = result.text()
    golden = GOLDEN / f"{folder}__{_slug(title)}.txt"
    if os.environ.get("REGEL_GOLDEN_UPDATE"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", ["berkelland", "delft", "landelijk", "voorbeeld"])
def test_every_shipped_motivation_fits_the_published_schema(folder: str) -> None:
    """The JSON of every shipped case, validated by the models the OpenAPI comes from: each
    status, each step and each calculation the runtime writes is one the schema allows."""
    from regel.compiler.service import Besluit

    policies = _policies(folder)
    seen: set[str] = set()
    for case_file in policies.cases:
        for case in case_file.cases:
            if any(e.kind == "fout" for e in case.expectations):
                continue
            version = policies.version(case_file.regulation, case.peildatum)  # type: ignore[arg-type]
            inputs, peildatum, decision = case_inputs(case, version)
            result = policies.evaluate(
                case_file.regulation, inputs, peildatum, decision, True, **case_options(case)
            )
            body = result.to_json()
            Besluit.model_validate({**body, "besluit": decision or ""})
            seen |= {o["status"] for o in body["uitkomsten"].values()}
            text = result.text()
            assert "Traceback" not in text and "None" not in text, text
    assert "bepaald" in seen


def test_the_explaining_twins_are_compiled_for_the_first_motivation_only() -> None:
    """Compiling a regulation leaves the code that writes out calculations for the first
    decision that asks for a motivation; threads that ask at once all get the derivation."""
    import threading

    from .conftest import WAGE_SUBSIDY_CASE

    policies = load(ROOT / "policies" / "berkelland")
    regulation = policies["berkelland"]
    peil = datetime.date(2008, 3, 1)
    assert regulation.explain_loader is not None
    regulation.evaluate(WAGE_SUBSIDY_CASE, peil, "loonkostensubsidie")
    assert regulation.explain_loader is not None  # no motivation asked: nothing compiled
    found: list[int] = []

    def decide() -> None:
        result = regulation.evaluate(WAGE_SUBSIDY_CASE, peil, "loonkostensubsidie", trace=True)
        found.append(sum(len(t.derivation) for t in result.trace))

    threads = [threading.Thread(target=decide) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert regulation.explain_loader is None
    assert len(found) == 8 and len(set(found)) == 1 and found[0] > 0


def test_the_published_schema_allows_exactly_what_the_runtime_writes() -> None:
    """The statuses of an outcome and of a step, and the kinds of a calculation step, are
    defined in the runtime; the OpenAPI models list the same, no more and no fewer."""
    from typing import get_args

    from regel.compiler.service import Rekenstap, Stap, Uitkomst
    from regel.runtime import derivation, engine

    def allowed(model: type, field: str) -> tuple[str, ...]:
        return get_args(model.model_fields[field].annotation)  # type: ignore[attr-defined]

    assert allowed(Uitkomst, "status") == engine.OUTCOME_STATUSES
    assert allowed(Stap, "status") == engine.STEP_STATUSES
    assert allowed(Rekenstap, "soort") == derivation.STEP_KINDS
