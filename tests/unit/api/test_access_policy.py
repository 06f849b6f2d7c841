"""The access policy table itself: documented where it is read, and shaped as the issue asks."""

from __future__ import annotations

from pathlib import Path

from api.policy import FIELDS, POLICY, ROLES, Scope, policy_page
from shared.domain.enums import TokenRole

PAGE = Path(__file__).resolve().parents[3] / "docs" / "access-policy.md"


def test_the_docs_page_is_the_policy_as_it_is_in_the_code():
    assert PAGE.read_text() == policy_page(), "run: python -m tools.access_policy_doc > docs/access-policy.md"


def test_readonly_and_metrics_tokens_write_nothing():
    for (method, path), rule in POLICY.items():
        if rule.action.value == "write":
            assert TokenRole.READONLY not in rule.grants, f"{method} {path}"
            assert TokenRole.METRICS not in rule.grants, f"{method} {path}"


def test_a_metrics_token_reads_only_the_metrics():
    readable = {path for (_m, path), rule in POLICY.items() if TokenRole.METRICS in rule.grants}
    assert readable == {"/metrics"}


def test_the_admin_reaches_everything_and_a_manager_never_more_than_its_line_outside_the_organisation():
    for (method, path), rule in POLICY.items():
        if rule.public:
            continue
        if path != "/metrics":
            assert rule.grants.get(TokenRole.ADMIN) is Scope.ALL, f"{method} {path}"
        manager = rule.grants.get(TokenRole.MANAGER)
        if manager is Scope.ALL:
            assert rule.resource.startswith("organisation") and rule.action.value == "read", f"{method} {path}"


def test_contact_data_is_for_hr_admin_and_the_person_only():
    contact = next(rule for name, rule in FIELDS.items() if name.startswith("contact"))
    assert {role for role in ROLES if contact.grants.get(role) is Scope.ALL} == {TokenRole.ADMIN, TokenRole.HR}
    assert contact.grants.get(TokenRole.MANAGER) is Scope.OWN
