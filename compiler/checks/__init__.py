"""The passes of the checker, one module per range of diagnostics (see checker.py)."""
