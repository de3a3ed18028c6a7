"""Errors raised while evaluating; all carry a code and a Dutch message for people."""

from __future__ import annotations


class EvaluationError(Exception):
    def __init__(self, code: str, message: str, hint: str | None = None):
        self.code, self.message, self.hint = code, message, hint
        super().__init__(message)


class InputError(EvaluationError):
    """Bad or missing input; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        text = "; ".join(f"{field}: {msg}" for field, msg in problems.items())
        super().__init__("R710", f"ongeldige invoer: {text}")


class PeriodError(EvaluationError):
    """The peildatum lies outside the period the regulation is in force."""


class Undetermined(Exception):
    """Raised when a value needed for a calculation is onbepaald; carries why."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(reason)
