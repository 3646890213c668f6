"""The search blueprint: the case history page (caseman.casefile.views) is added to it, so its
endpoint keeps the name ``search.history``; the text search itself shows on the case list."""

from __future__ import annotations

from flask import Blueprint

from caseman.search import indexing  # noqa: F401  (registers the index's flush listener)

bp = Blueprint("search", __name__)
