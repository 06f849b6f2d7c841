"""`chronos admin …`: API tokens and invitations."""

from __future__ import annotations

from typing import Annotated

import typer

from chronos_cli.runtime import console, open_database, run, settings_or_exit
from shared.domain.enums import TokenRole
from shared.services.actor import Actor
from shared.services.org.tokens import create_token

app = typer.Typer(help="Administration: API tokens, invitations.", no_args_is_help=True)


@app.command("create-token")
def create_token_cmd(
    role: Annotated[TokenRole, typer.Option("--role", help="admin, hr, manager or readonly")],
    name: Annotated[str, typer.Option("--name", help="who uses it, e.g. payroll-sync")],
    employee: Annotated[int | None, typer.Option("--employee-id", help="bind a manager token to an employee")] = None,
) -> None:
    """Create an API token; it is printed once and only its hash is stored."""
    settings = settings_or_exit()

    async def body() -> str:
        async with open_database(settings) as db, db.transaction() as session:
            _token, plaintext = await create_token(
                session, name=name, role=role, pepper=settings.secret_key, actor=Actor.cli(), employee_id=employee
            )
            return plaintext

    plaintext = run(body, settings)
    console.print(f"Token [bold]{name}[/] ({role.value}) created. Copy it now; it is not shown again:")
    print(plaintext)
