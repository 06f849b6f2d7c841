"""Errors answered in the Bot API's own shape."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """A Bot API failure: ``{"ok": false, "error_code": N, "description": "..."}``."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    def response(self) -> JSONResponse:
        """The HTTP response Telegram sends for this error."""
        return JSONResponse(self.payload(), status_code=self.status)


def bad_request(description: str) -> ApiError:
    """A 400 error; ``description`` is the part after ``Bad Request: ``."""
    return ApiError(400, f"Bad Request: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 flood-control error with ``parameters.retry_after``."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", parameters={"retry_after": retry_after})


class ControlError(Exception):
    """A failure of the control API (tests driving the emulator), answered as ``{"error": ...}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> JSONResponse:
        """The HTTP response for this control error."""
        return JSONResponse({"error": self.message}, status_code=self.status)
