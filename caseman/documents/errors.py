"""Errors of the document writers."""

from __future__ import annotations


class DocumentError(Exception):
    """A document cannot be produced on this machine (e.g. no CJK font for the PDF)."""
