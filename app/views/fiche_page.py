"""The public page of one fiche (and the staff preview of a draft)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("fiche", __name__)
