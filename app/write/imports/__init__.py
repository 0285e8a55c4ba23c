"""Importers: one module per kind of data. Every import is all-or-nothing:
rows are checked first, errors are collected per row (Dutch), and only a
clean file is written, inside one transaction."""
from .errors import ImportFailed, RowError  # noqa: F401
