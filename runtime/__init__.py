"""The regel runtime: what compiled rule objects and generated modules need, and nothing of
the compiler. Standard library only.
"""

from .engine import (
    Context,
    InputSpec,
    Judgement,
    Outcome,
    OutcomeResult,
    Program,
    Regulation,
    Result,
    Rule,
    RuleTrace,
)
from .errors import EvaluationError, InputError, PeriodError, Undetermined
from .values import age, divide, format_value, round_to, shift_date, whole_units_between

__all__ = [
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
    "divide",
    "format_value",
    "round_to",
    "shift_date",
    "whole_units_between",
]
