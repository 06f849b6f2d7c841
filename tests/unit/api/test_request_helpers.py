"""Pure helpers of the API edge: language negotiation, request ids, route templates, error details."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.errors import accept_language, render_details
from api.middleware import clean_request_id, route_template
from shared.errors import N_, Invalid


class _Echo:
    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("de-DE, ar;q=0.7, en;q=0.5", "ar"),
        ("en;q=0.2, ru;q=0.9", "ru"),
        ("ru;q=0, ar", "ar"),
        ("*", "en"),
        ("xx, yy-ZZ", "en"),
        ("ru;q=banana", "en"),
        ("ar_SA", "ar"),
    ],
)
def test_accept_language_picks_the_best_supported_locale(header, expected):
    assert accept_language(header, "en") == expected


@given(st.text(max_size=300))
def test_accept_language_never_fails_on_any_header(header):
    assert accept_language(header, "en") in {"en", "ru", "ar"}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("abc-123", "abc-123"),
        ("trace:4f.a_b", "trace:4f.a_b"),
        ("a b\r\nX-Evil: 1", "abX-Evil:1"),
        ("ж" * 10, ""),
        ("x" * 100, "x" * 64),
        (None, ""),
    ],
)
def test_request_ids_keep_only_safe_characters_and_64_of_them(raw, clean):
    assert clean_request_id(raw) == clean


def _scope(path: str, template: str | None, **params: object) -> dict:
    route = SimpleNamespace(path=template) if template else None
    return {"path": path, "route": route, "path_params": params}


@pytest.mark.parametrize(
    ("scope", "template"),
    [
        (_scope("/api/v1/employees/42", "/employees/{employee_id}", employee_id=42), "/api/v1/employees/{employee_id}"),
        (_scope("/api/v1/employees", "/employees"), "/api/v1/employees"),
        (_scope("/health/live", "/health/live"), "/health/live"),
        (_scope("/random/thing", None), "<unmatched>"),
        (_scope("/api/v1/employees/042", "/employees/{employee_id}", employee_id=42), "/employees/{employee_id}"),
    ],
)
def test_metrics_label_requests_by_their_full_route_template(scope, template):
    assert route_template(scope) == template


def test_a_field_error_points_at_its_field():
    error = Invalid(N_("Shift {id} does not exist."), details={"field": "shift_id"}, id=3)
    message = error.render(_Echo())
    assert render_details(error, _Echo(), message) == [{"field": "shift_id", "message": "Shift 3 does not exist."}]


def test_many_problems_are_rendered_one_by_one_with_their_lines():
    error = Invalid(
        N_("Nothing was imported."),
        details={"problems": [{"line": 2, "message": "column {column} is empty", "params": {"column": "code"}}]},
    )
    assert render_details(error, _Echo(), "x") == [{"field": None, "line": 2, "message": "column code is empty"}]


def test_an_error_without_details_has_an_empty_list():
    assert render_details(Invalid(N_("Bad.")), _Echo(), "Bad.") == []
