"""The regel runtime: what compiled rule objects and generated modules need, and nothing of
the compiler. Standard library only.
"""

from typing import TYPE_CHECKING, Any

from . import inputs as inputs  # the rules of valid input: regel.runtime.inputs
from .errors import EvaluationError, InputError, PeriodError, Undetermined
from .inputs import LOWEST_EXPONENT, NUMBER_QUANTUM, TEXT_LENGTH, InputSpec

if TYPE_CHECKING:
    from .engine import (
        NUMBER_DIGITS,
        Context,
        Judgement,
        Outcome,
        OutcomeResult,
        Program,
        Regulation,
        Result,
        Rule,
        RuleTrace,
        combine,
        decided,
        judge,
        over,
        undetermined_result,
    )
    from .values import (
        CENTEN,
        EXACT,
        HALF_NAAR_BOVEN,
        HELE_EURO,
        HELE_GETALLEN,
        NAAR_BENEDEN,
        NAAR_BOVEN,
        age,
        both,
        clock_between,
        divide,
        either,
        first_known,
        format_value,
        round_to,
        shift_clock,
        shift_date,
        undetermined,
        whole_units_between,
    )


# The engine and the value helpers load on first use: `regel controleer` checks a regulation
# without them, and starts the quicker for it.
_LAZY = {
    **dict.fromkeys(
        ("NUMBER_DIGITS", "Context", "Judgement", "Outcome", "OutcomeResult", "Program",
         "Regulation", "Result", "Rule", "RuleTrace", "combine", "decided", "judge", "over",
         "undetermined_result"),
        "engine",
    ),
    **dict.fromkeys(
        ("CENTEN", "EXACT", "HALF_NAAR_BOVEN", "HELE_EURO", "HELE_GETALLEN", "NAAR_BENEDEN",
         "NAAR_BOVEN", "age", "both", "clock_between", "divide", "either", "first_known",
         "format_value", "round_to", "shift_clock", "shift_date", "undetermined",
         "whole_units_between"),
        "values",
    ),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name == "derivation":  # the steps of a motivation, called by explaining twins
        from . import derivation

        return derivation
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'regel.runtime' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CENTEN",
    "EXACT",
    "HALF_NAAR_BOVEN",
    "HELE_EURO",
    "HELE_GETALLEN",
    "LOWEST_EXPONENT",
    "NAAR_BENEDEN",
    "NAAR_BOVEN",
    "NUMBER_DIGITS",
    "NUMBER_QUANTUM",
    "TEXT_LENGTH",
    "Context",
    "EvaluationError",
    "InputError",
    "InputSpec",
    "Judgement",
    "Outcome",
    "OutcomeResult",
    "PeriodError",
    "Program",
    "Regulation",
    "Result",
    "Rule",
    "RuleTrace",
    "Undetermined",
    "age",
    "both",
    "clock_between",
    "combine",
    "decided",
    "derivation",
    "divide",
    "either",
    "first_known",
    "format_value",
    "judge",
    "over",
    "round_to",
    "shift_clock",
    "shift_date",
    "undetermined",
    "undetermined_result",
    "whole_units_between",
]
