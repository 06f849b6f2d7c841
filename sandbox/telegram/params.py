"""Bot API request parameters: query string, form-encoded, JSON or multipart bodies."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from sandbox.telegram.errors import ApiError, bad_request

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """A file sent in a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed access to Bot API parameters, with Telegram's error messages."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def from_request(cls, request: Request) -> Params:
        """Collect parameters from the query string and a body of any supported encoding."""
        values: dict[str, Any] = dict(request.query_params)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "GET" or content_type == "":
            body = await request.body()
            if body.strip():
                values.update(_json_object(body))
            return cls(values)
        if content_type == "application/json":
            values.update(_json_object(await request.body()))
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form(max_files=100, max_fields=1000)
            for key, item in form.multi_items():
                if isinstance(item, UploadFile):
                    data = await item.read()
                    if len(data) > MAX_UPLOAD_BYTES:
                        raise ApiError(413, "Request Entity Too Large")
                    values[key] = UploadedFile(item.filename, item.content_type, data)
                else:
                    values[key] = item
        else:
            await request.body()
        return cls(values)

    def has(self, name: str) -> bool:
        """Whether the parameter was sent (an empty string counts as not sent, like Telegram)."""
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        """The parameter as received (string, JSON value or :class:`UploadedFile`)."""
        return self.values.get(name)

    def string(self, name: str, *, required: bool = False, empty: str | None = None) -> str | None:
        """A string parameter; ``empty`` is the error description when it is missing."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(empty or f"{name} is empty")
            return None
        if isinstance(value, UploadedFile):
            raise bad_request(f"can't parse {name}: a string is expected")
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False, empty: str | None = None) -> int | None:
        """An integer parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(empty or f"{name} is empty")
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, *, required: bool = False) -> float | None:
        """A float parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (``true``/``false``/``1``/``0``)."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def json(self, name: str, *, what: str | None = None) -> Any:
        """A JSON-serialized parameter: a string in forms, a real value in JSON bodies."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None

    def file(self, name: str) -> UploadedFile | str | None:
        """An input file: an upload, an ``attach://`` reference, a file_id or an URL."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
        if value is None or value == "":
            return None
        if isinstance(value, UploadedFile | str):
            return value
        raise bad_request(f"wrong type of the {name} field")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON request body") from None
    if not isinstance(parsed, dict):
        raise bad_request("JSON object expected as the request body")
    return parsed
