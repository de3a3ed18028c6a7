"""The regel compiler: .regel source → checked AST → executable rule objects."""

from .api import Policies, check_paths, load, loads
from .diagnostics import CompileError, Diagnostic, Span, render, render_all

__all__ = [
    "CompileError",
    "Diagnostic",
    "Policies",
    "Span",
    "check_paths",
    "load",
    "loads",
    "render",
    "render_all",
]
