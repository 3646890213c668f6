"""What a URL may carry into a query (issue 23 item 3): ids that fit, text without control
characters.

Ids are 32-bit integers on PostgreSQL (SQLite takes 64 bits): ``/elders/99999999999999999999``
or ``?village=99999999999999999999`` failed in the database with a 500. A path id out of range
matches no route (404); a query number out of range reads as absent, like any other bad number
given to ``request.args.get(..., type=int)``.

Search and filter words come from the query string: a NUL in them failed in the database
(PostgreSQL refuses NUL in text; SQLite's full-text MATCH read an unterminated string). Control
characters are dropped from query-string values (there is no field to show a message beside;
a form's posted fields refuse them instead, see caseman.forms).
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Map
from werkzeug.utils import cached_property

ID_LIMIT = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` with an upper bound: the largest 32-bit integer."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = ID_LIMIT, signed: bool = False) -> None:  # noqa: A002  # fmt: skip
        super().__init__(map, fixed_digits, min, max, signed)


class BoundedArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query and form values: ``get(name, type=int)`` answers the default for a number that no
    column can hold."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -ID_LIMIT - 1 <= value <= ID_LIMIT:
            return default
        return value


def printable(text: str) -> str:
    """``text`` without control characters (tabs and line breaks become spaces)."""
    if text.isprintable():
        return text
    return "".join(
        " " if char in "\t\n\r" else char
        for char in text
        if char in "\t\n\r" or unicodedata.category(char) != "Cc"
    )


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs

    @cached_property
    def args(self) -> BoundedArgs:  # type: ignore[override]
        """The query string's values, without control characters."""
        pairs = parse_qsl(
            self.query_string.decode(), keep_blank_values=True, errors="werkzeug.url_quote"
        )
        return BoundedArgs((key, printable(value)) for key, value in pairs)


def init_app(app: Flask) -> None:
    """Before any route is added (a rule binds its converters when it is added)."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = BoundedRequest
