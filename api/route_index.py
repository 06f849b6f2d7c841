"""The app's routes as they are served: full path, methods and dependencies, however they were included.

FastAPI ≥ 0.16x keeps an included router as one branch in ``app.routes`` whose effective routes carry the
full path (with every prefix) and every dependency; older versions copy each route with its full path.
Both are read here, for the access policy's start-up check and for the ``Allow`` header of a 405.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import compile_path


@dataclass(frozen=True)
class Served:
    method: str
    path: str
    dependant: Dependant | None
    regex: re.Pattern[str]


def served_routes(app: FastAPI) -> list[Served]:
    """Every (method, full path) the app answers, sorted by path then method."""
    found: list[Served] = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                regex = compile_path(context.path)[0]
                found += [Served(m, context.path, context.dependant, regex) for m in context.methods]
        elif isinstance(route, APIRoute):
            found += [Served(m, route.path, route.dependant, route.path_regex) for m in route.methods]
        elif getattr(route, "methods", None) and getattr(route, "path_regex", None) is not None:
            found += [Served(m, route.path, None, route.path_regex) for m in route.methods]  # type: ignore[attr-defined]
    return sorted(found, key=lambda s: (s.path, s.method))


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods some route answers at ``path`` (the right ``Allow`` header of a 405)."""
    index: list[Served] | None = getattr(app.state, "served_routes", None)
    if index is None:
        index = served_routes(app)
        app.state.served_routes = index
    return sorted({s.method for s in index if s.regex.match(path)})
