"""Who is acting: an employee (bot), an API token, the CLI or a scheduled job."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.enums import Role, TokenRole
from shared.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The authority behind a call; services check permissions on it and write it to the audit log."""

    label: str
    employee_id: int | None = None
    role: Role | None = None
    token_role: TokenRole | None = None

    @property
    def is_hr(self) -> bool:
        if self.token_role in (TokenRole.ADMIN, TokenRole.HR):
            return True
        return self.role in (Role.HR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.token_role is TokenRole.ADMIN or self.role is Role.ADMIN

    @property
    def is_system(self) -> bool:
        return self.label.startswith(("system:", "cli"))

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(label=f"system:{job}", token_role=TokenRole.ADMIN)

    @classmethod
    def cli(cls) -> Actor:
        return cls(label="cli", token_role=TokenRole.ADMIN)

    @classmethod
    def for_employee(cls, employee_id: int, role: Role, name: str | None = None) -> Actor:
        return cls(label=f"employee:{employee_id}", employee_id=employee_id, role=role)

    @classmethod
    def for_token(cls, name: str, role: TokenRole, employee_id: int | None = None) -> Actor:
        return cls(label=f"token:{name}", employee_id=employee_id, token_role=role)

    def acts_on_self(self, employee_id: int) -> bool:
        """Whether this actor is the person ``employee_id`` (a bot user, or a token bound to them)."""
        return self.employee_id is not None and self.employee_id == employee_id


def ensure_not_self(actor: Actor, employee_id: int, message: str) -> None:
    """Nobody acts on themselves where a second person must (balances, attendance, decisions): 403."""
    if actor.acts_on_self(employee_id):
        raise Forbidden(message)
