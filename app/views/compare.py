"""The comparison page: budget per wijk against a wijk indicator."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("compare", __name__)
