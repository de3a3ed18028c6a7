"""Errors raised while evaluating; all carry a code and a Dutch message for people, and one
JSON form (`to_json`) that the CLI, the service and every other channel give."""

from __future__ import annotations

from typing import Any


class EvaluationError(Exception):
    def __init__(self, code: str, message: str, hint: str | None = None):
        self.code, self.message, self.hint = code, message, hint
        self.place: dict[str, str] | None = None  # the rule it happened in, see `at`
        super().__init__(message)

    def at(self, rule: str, anchor: str, file: str, line: int) -> EvaluationError:
        """Name the rule, the article and the line of the .regel file where this happened
        (the first rule it is noted at: the innermost)."""
        if self.place is None:
            self.place = {"regel": rule, "artikel": anchor, "bron": f"{file}:{line}"}
            self.message = f"{self.message} (bij regel {rule}, {anchor}, {file}:{line})"
            self.args = (self.message,)
        return self

    def to_json(self) -> dict[str, Any]:
        """The refusal as JSON: `fout` (a Dutch sentence), `code`, where it happened
        (`plaats`) and, where it applies, per field (`velden`) what is wrong."""
        out: dict[str, Any] = {"fout": self.message, "code": self.code}
        if self.place:
            out["plaats"] = dict(self.place)
        if self.hint:
            out["hint"] = self.hint
        return out


class InputError(EvaluationError):
    """Bad or missing input; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        text = "; ".join(f"{field}: {msg}" for field, msg in problems.items())
        super().__init__("R710", f"ongeldige invoer: {text}")

    def to_json(self) -> dict[str, Any]:
        return {"fout": "ongeldige invoer", "code": self.code, "velden": dict(self.problems)}


class PeriodError(EvaluationError):
    """The peildatum lies outside the period the regulation is in force."""

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "velden": {"peildatum": self.message}}


class Undetermined(Exception):
    """Raised when a value needed for a calculation is onbepaald; carries why, and `needs`:
    the gegevens and oordelen not given whose values could settle it (what an interview asks
    next)."""

    def __init__(self, name: str, reason: str, needs: frozenset[str] = frozenset()):
        self.name, self.reason, self.needs = name, reason, needs
        super().__init__(reason)

    def also(self, other: Undetermined) -> Undetermined:
        """This reason, needing what `other` needs as well."""
        if other.needs <= self.needs:
            return self
        return Undetermined(self.name, self.reason, self.needs | other.needs)
