"""The English catalogue: msgids are English, so each msgstr is its msgid (kept complete)."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parent.parent / "caseman/translations/en/LC_MESSAGES/messages.po"
with path.open("rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id
    message.flags.discard("fuzzy")
with path.open("wb") as handle:
    write_po(handle, catalog, omit_header=False, sort_output=True, include_lineno=False)
