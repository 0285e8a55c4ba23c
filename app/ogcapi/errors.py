"""Typed API errors: each carries its HTTP status and OGC exception code;
the description is Dutch because a person reads it."""
from __future__ import annotations


class ApiError(Exception):
    status = 500
    code = "NoApplicableCode"

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description

    def as_json(self) -> dict:
        return {"code": self.code, "description": self.description}


class InvalidParameter(ApiError):
    """A query parameter that is unknown or has a value we cannot use."""
    status = 400
    code = "InvalidParameterValue"


class NotFound(ApiError):
    status = 404
    code = "NotFound"
