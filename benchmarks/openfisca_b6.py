"""Berkelland B.6 (loonkostensubsidie) written for OpenFisca, vectorised, for
`bench_doorreken.py`: run in OpenFisca's own environment (never a dependency of regel).

    python openfisca_b6.py klanten.parquet uit.parquet 2008-03-01

Reads the caseload with pyarrow, builds the tax-benefit system, computes, writes the result:
all of it timed, as a user of OpenFisca pays it. Prints the seconds and, for the comparison of
results, the sum of the subsidies. OpenFisca's floats are float32.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from openfisca_core.entities import build_entity
from openfisca_core.periods import MONTH
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

GROUPS = ["bijstand", "ioaw_ioaz", "voormalig_wiw_id", "anw_er", "nugger", "geen"]

Persoon = build_entity(key="persoon", plural="personen", label="Persoon", is_person=True)


class klantgroep(Variable):
    value_type = int
    entity = Persoon
    definition_period = MONTH


class leeftijd(Variable):
    value_type = int
    entity = Persoon
    definition_period = MONTH


class maanden_werkloos(Variable):
    value_type = float
    entity = Persoon
    definition_period = MONTH


class uren_per_week(Variable):
    value_type = float
    entity = Persoon
    definition_period = MONTH


class loonkosten(Variable):
    value_type = float
    entity = Persoon
    definition_period = MONTH


class handicap(Variable):
    value_type = bool
    entity = Persoon
    definition_period = MONTH


class bijstandsonafhankelijk(Variable):
    value_type = bool
    entity = Persoon
    definition_period = MONTH


class voorwaarden(Variable):
    value_type = bool
    entity = Persoon
    definition_period = MONTH

    def formula(persoon, period):
        group = persoon("klantgroep", period)
        age = persoon("leeftijd", period)
        uitkering = np.isin(group, [0, 1]) & (age < 65)
        doelgroep = uitkering | np.isin(group, [2, 3, 4])
        werkloos = persoon("maanden_werkloos", period)
        genoeg = np.where(age < 25, werkloos >= 6, werkloos >= 12)
        return (
            doelgroep
            & (persoon("uren_per_week", period) >= 12)
            & persoon("bijstandsonafhankelijk", period)
            & genoeg
        )


class loonkostensubsidie(Variable):
    value_type = float
    entity = Persoon
    definition_period = MONTH

    def formula(persoon, period):
        costs = persoon("loonkosten", period)
        general = np.minimum(costs * 0.5, 500)
        disabled = np.minimum(costs * 0.6, 600)
        amount = np.where(persoon("handicap", period), disabled, general)
        return np.where(persoon("voorwaarden", period), np.round(amount, 2), 0)


class B6(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__([Persoon])
        for v in (klantgroep, leeftijd, maanden_werkloos, uren_per_week, loonkosten, handicap,
                  bijstandsonafhankelijk, voorwaarden, loonkostensubsidie):  # fmt: skip
            self.add_variable(v)


def main() -> None:
    source, target, day = sys.argv[1:4]
    start = time.perf_counter()
    table = pq.read_table(source)
    peil = np.datetime64(day, "D")
    birth = table.column("geboortedatum").to_numpy().astype("datetime64[D]")

    def parts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        year, month = d.astype("datetime64[Y]"), d.astype("datetime64[M]")
        return (year.astype(int), (month - year.astype("datetime64[M]")).astype(int),
                (d - month.astype("datetime64[D]")).astype(int))  # fmt: skip

    (by, bm, bd), (py, pm, pd) = parts(birth), parts(np.array([peil]))
    age = py - by - ((bm > pm) | ((bm == pm) & (bd > pd))).astype(int)
    system = B6()
    simulation = SimulationBuilder().build_default_simulation(system, count=table.num_rows)
    month = day[:7]
    codes = pc.index_in(table.column("klantgroep"), value_set=pa.array(GROUPS))
    simulation.set_input("klantgroep", month, codes.to_numpy(zero_copy_only=False))
    simulation.set_input("leeftijd", month, age)
    for name in ("maanden_werkloos", "uren_per_week", "loonkosten"):
        simulation.set_input(name, month, table.column(name).to_numpy().astype(np.float32))
    simulation.set_input("handicap", month, table.column("handicap").to_numpy(zero_copy_only=False))
    works = table.column("bijstandsonafhankelijk_door_arbeid").to_numpy(zero_copy_only=False)
    simulation.set_input("bijstandsonafhankelijk", month, works)
    result = simulation.calculate("loonkostensubsidie", month)
    pq.write_table(pa.table({"loonkostensubsidie": result}), target)
    seconds = time.perf_counter() - start
    print(f"{seconds} {float(np.sum(result.astype(np.float64)))}")


if __name__ == "__main__":
    main()
