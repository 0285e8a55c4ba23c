"""The wijk page: what the city invests in my wijk."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("wijk", __name__)
