"""Fill missing zh_Hans_CN msgstrs from a Python dict file: fill_translations.py DICT.py

The dict maps msgid (or (singular, plural)) to the Chinese text (or a 1-tuple for plurals).
Used while developing; the catalogue is the source of truth and is committed.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "caseman/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main() -> None:
    table = runpy.run_path(sys.argv[1])["ZH"]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        value = table.get(message.id)
        if value is None:
            continue
        message.string = value
        message.flags.discard("fuzzy")
        filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog)
    print(f"filled {filled}")


if __name__ == "__main__":
    main()
