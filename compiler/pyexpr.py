"""A tiny layout engine for Python expressions in generated code.

The code generator builds expressions as small trees (`Atom`, `Ops`, `Call`, `IfElse`) with
Python precedences, so that it writes no parentheses Python does not need, and breaks a long
expression over several lines the way `ruff format` would, to stay within the line length.
"""

from __future__ import annotations

from dataclasses import dataclass

# Python's precedence levels, lowest first (the reference manual, "Operator precedence").
LAMBDA, IFELSE, OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, ATOM = 0, 1, 2, 3, 4, 5, 10, 11, 12, 16


class Code:
    prec: int = ATOM

    def flat(self) -> str:
        raise NotImplementedError

    def lines(self, width: int) -> list[str]:
        """The expression as lines, each indented relative to the first; only breaks inside
        brackets, so the result is always valid Python."""
        text = self.flat()
        return [text] if len(text) <= width else self.broken(width)

    def broken(self, width: int) -> list[str]:
        """The expression over several lines, because it does not fit on one."""
        return [self.flat()]


@dataclass(slots=True)
class Atom(Code):
    text: str
    prec: int = ATOM

    def flat(self) -> str:
        return self.text


def wrap(code: Code, at_least: int) -> Code:
    """Parenthesise `code` when its precedence is below `at_least`."""
    return code if code.prec >= at_least else Paren(code)


@dataclass(slots=True)
class Paren(Code):
    inner: Code
    prec: int = ATOM

    def flat(self) -> str:
        return f"({self.inner.flat()})"

    def broken(self, width: int) -> list[str]:
        return ["(", *_indent(self.inner.lines(width - 4)), ")"]


@dataclass(slots=True)
class Ops(Code):
    """`a op b op c …` at one precedence level; operands already wrapped as needed."""

    first: Code
    rest: list[tuple[str, Code]]
    prec: int = SUM

    def flat(self) -> str:
        return " ".join([self.first.flat(), *(f"{op} {c.flat()}" for op, c in self.rest)])

    def broken(self, width: int) -> list[str]:
        out = self.first.lines(width)
        for op, operand in self.rest:
            out += _lead(f"{op} ", operand, width)
        return out


@dataclass(slots=True)
class Call(Code):
    func: str
    args: list[Code]

    def flat(self) -> str:
        return f"{self.func}({', '.join(a.flat() for a in self.args)})"

    def broken(self, width: int) -> list[str]:
        out = [f"{self.func}("]
        for arg in self.args:
            sub = arg.lines(width - 5)
            sub[-1] += ","
            out.extend(_indent(sub))
        out.append(")")
        return out


@dataclass(slots=True)
class IfElse(Code):
    """`a if c else b`, chained to the right for tiers."""

    value: Code
    condition: Code
    otherwise: Code
    prec: int = IFELSE

    def flat(self) -> str:
        return f"{self.value.flat()} if {self.condition.flat()} else {self.otherwise.flat()}"

    def broken(self, width: int) -> list[str]:
        return [
            *self.value.lines(width),
            *_lead("if ", self.condition, width),
            *_lead("else ", self.otherwise, width),
        ]


@dataclass(slots=True)
class Lambda(Code):
    """`lambda: body`: an operand worked out only when it is needed."""

    body: Code
    prec: int = LAMBDA
    params: str = ""  # `lambda c: …`: the value for one person, in the person's context

    def flat(self) -> str:
        return f"lambda{' ' if self.params else ''}{self.params}: {self.body.flat()}"

    def broken(self, width: int) -> list[str]:
        head = f"lambda{' ' if self.params else ''}{self.params}: "
        inner = wrap(self.body, ATOM)
        lines = inner.lines(width - len(head))
        return [head + lines[0], *lines[1:]]


@dataclass(slots=True)
class Walrus(Code):
    """`(name := value)`: an operand kept under a name, so that a motivation can show it
    beside the result computed from it."""

    name: str
    value: Code
    prec: int = ATOM

    def flat(self) -> str:
        return f"({self.name} := {self.value.flat()})"

    def broken(self, width: int) -> list[str]:
        return [f"({self.name} := (", *_indent(self.value.lines(width - 4)), "))"]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _lead(word: str, code: Code, width: int) -> list[str]:
    """`code` with `word` in front of its first line."""
    sub = code.lines(width - len(word))
    return [word + sub[0], *sub[1:]]


def binary(op: str, prec: int, left: Code, right: Code) -> Code:
    """A left-associative operator; comparisons never chain."""
    if prec == OR:  # `a and b or c` is right, but people should not have to know that
        left, right = (Paren(x) if x.prec == AND else x for x in (left, right))
    associative = op in ("and", "or")  # regrouping `a or (b or c)` keeps its meaning
    right_min = prec if associative else prec + 1
    left_min = prec + 1 if prec == COMPARE else prec
    left = wrap(left, left_min)
    right = wrap(right, right_min)
    rest: list[tuple[str, Code]] = [(op, right)]
    if associative and isinstance(right, Ops) and right.prec == prec:
        rest = [(op, right.first), *right.rest]
    if isinstance(left, Ops) and left.prec == prec and prec != COMPARE:
        return Ops(left.first, [*left.rest, *rest], prec)
    return Ops(left, rest, prec)


def unary(op: str, prec: int, operand: Code) -> Code:
    """`-x` or `not x`."""
    return _Unary(op, operand, prec)


@dataclass(slots=True)
class _Unary(Code):
    op: str
    operand: Code
    prec: int = UNARY

    def flat(self) -> str:
        return f"{self.op}{wrap(self.operand, self.prec).flat()}"

    def broken(self, width: int) -> list[str]:
        return _lead(self.op, wrap(self.operand, self.prec), width)


def render(code: Code, prefix: str, indent: int, width: int = 100) -> list[str]:
    """`prefix` followed by the expression, as statement lines at `indent` spaces."""
    pad = " " * indent
    text = pad + prefix + code.flat()
    if len(text) <= width:
        return [text]
    if isinstance(code, Paren | Call):  # breaks inside its own brackets
        lines = code.lines(width - indent - len(prefix))
        return [pad + prefix + lines[0], *(pad + line for line in lines[1:])]
    inner = code.lines(width - indent - 4)
    return [pad + prefix + "(", *(pad + "    " + line for line in inner), pad + ")"]
