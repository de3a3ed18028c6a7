"""One way to walk an expression in every back end: a method per kind, a loud fallback.

A back end (type checking, code generation, prose for the docs, the source written back)
subclasses `ExprVisitor` and has a method `visit_<Kind>` for each kind of expression in
`nodes.py`. `visit` dispatches on the node's class; a kind without a method is a fault of the
compiler and raises, naming the back end and the kind, instead of being skipped, mislabelled or
recursing until Python gives up. `tests/test_visitor.py` checks that every back end handles every
kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from . import nodes as n

R = TypeVar("R")

# Every kind of expression the parser makes: the classes in nodes.py that derive from Expr.
EXPRESSION_KINDS: tuple[type[n.Expr], ...] = tuple(
    kind
    for kind in vars(n).values()
    if isinstance(kind, type) and issubclass(kind, n.Expr) and kind is not n.Expr
)


class UnknownExpression(NotImplementedError):
    """A back end met a kind of expression it has no method for."""


class ExprVisitor(Generic[R]):
    """Dispatch on the class of an expression to `visit_<Kind>(e, *args)`."""

    _handlers: dict[type, Callable[..., Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}

    def visit(self, e: n.Expr, *args: Any) -> R:
        handlers = type(self)._handlers
        method = handlers.get(type(e))
        if method is None:
            method = getattr(type(self), f"visit_{type(e).__name__}", None)
            if method is None:
                raise UnknownExpression(
                    f"{type(self).__name__} kent geen uitdrukking van de soort "
                    f"{type(e).__name__} (een fout in regel, niet in de regeling)"
                )
            handlers[type(e)] = method
        result: R = method(self, e, *args)
        return result


def missing_handlers(cls: type) -> list[str]:
    """The kinds of expression a back end has no method for."""
    return [k.__name__ for k in EXPRESSION_KINDS if not hasattr(cls, f"visit_{k.__name__}")]
