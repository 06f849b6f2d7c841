"""How `chronos --help` shows options: a flag shows no type.

Typer (0.2x with Click 8.2+) prints the Python type of every option in the help panel, so a flag such as
``--all`` reads ``--all  <bool>``, which suggests it takes a value. A flag takes none, so it shows no type.
"""

from __future__ import annotations

import click
from typer.core import TyperOption

_typed = TyperOption.display_type_rich


def _display_type_rich(self: TyperOption, ctx: click.Context) -> str | None:
    return None if self.is_flag else _typed(self, ctx)


def flags_show_no_type() -> None:
    TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
