"""Make the English catalog complete: English is the source language, so msgstr = msgid.

Run by `make i18n` after `pybabel update`; other locales are translated by people.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(path: Path) -> int:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, no_location=True, sort_output=True)
    return filled


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "translations/en/LC_MESSAGES/messages.po")
    print(f"{target}: filled {fill(target)} English messages")
