"""`chronos admin …`: API tokens (create, list, revoke) and invitations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import typer
from rich.table import Table

from chronos_cli.runtime import console, fail, open_database, run, settings_or_exit
from shared.domain.enums import TokenRole
from shared.services.actor import Actor
from shared.services.org.tokens import create_token, find_token, list_tokens, revoke_token, token_state

app = typer.Typer(help="Administration: API tokens, invitations.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: list them, revoke one.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")

_DURATION = re.compile(r"^(\d{1,4})([dhw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_expiry(value: str, *, now: datetime) -> datetime:
    """``90d``, ``12h``, ``4w`` from now, a date (the token works through that day, UTC) or an ISO instant."""
    text = value.strip().lower()
    match = _DURATION.match(text)
    if match:
        return now + int(match.group(1)) * _UNITS[match.group(2)]
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), tzinfo=UTC)
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter("give a duration (90d, 12h, 4w), a date (2027-06-30) or an ISO instant") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@app.command("create-token")
def create_token_cmd(
    role: Annotated[TokenRole, typer.Option("--role", help="admin, hr, manager, readonly or metrics")],
    name: Annotated[str, typer.Option("--name", help="who uses it, e.g. payroll-sync")],
    employee: Annotated[int | None, typer.Option("--employee-id", help="bind a manager token to an employee")] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="90d, 12h, 4w, a last day (2027-06-30) or an ISO instant")
    ] = None,
) -> None:
    """Create an API token; it is printed once and only its hash is stored."""
    settings = settings_or_exit()
    now = datetime.now(UTC)
    expires_at = parse_expiry(expires, now=now) if expires else None

    async def body() -> str:
        async with open_database(settings) as db, db.transaction() as session:
            _token, plaintext = await create_token(
                session,
                name=name,
                role=role,
                pepper=settings.secret_key,
                actor=Actor.cli(),
                employee_id=employee,
                expires_at=expires_at,
                now=now,
            )
            return plaintext

    plaintext = run(body, settings)
    until = f", valid until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
    console.print(f"Token [bold]{name}[/] ({role.value}{until}) created. Copy it now; it is not shown again:")
    print(plaintext)


@tokens_app.command("list")
def list_cmd(
    show_all: Annotated[bool, typer.Option("--all", help="include revoked tokens")] = False,
) -> None:
    """List API tokens (never their secrets): id, name, role, employee, state, expiry, last use."""
    settings = settings_or_exit()
    now = datetime.now(UTC)

    async def body() -> list[tuple[str, ...]]:
        async with open_database(settings) as db, db.session() as session:
            page = await list_tokens(session, limit=10_000, offset=0, revoked=None if show_all else False)
            return [
                (
                    str(t.id),
                    t.name,
                    t.role.value,
                    str(t.employee_id or ""),
                    token_state(t, now=now).value,
                    f"{t.expires_at:%Y-%m-%d %H:%M}" if t.expires_at else "",
                    f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
                )
                for t in page.items
            ]

    rows = run(body, settings)
    table = Table("id", "name", "role", "employee", "state", "expires (UTC)", "last used (UTC)")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if not rows:
        console.print("No tokens.")


@tokens_app.command("revoke")
def revoke_cmd(token: Annotated[str, typer.Argument(help="the token's id or name")]) -> None:
    """Revoke a token; it stops working at once (revoking twice is harmless)."""
    settings = settings_or_exit()

    async def body() -> tuple[int, str]:
        async with open_database(settings) as db, db.transaction() as session:
            found = await find_token(session, id_or_name=token)
            row = await revoke_token(session, token_id=found.id, actor=Actor.cli(), now=datetime.now(UTC))
            return row.id, row.name

    if not token.strip():
        fail("give the token's id or name")
    token_id, name = run(body, settings)
    console.print(f"Token [bold]{name}[/] (id {token_id}) is revoked.")
