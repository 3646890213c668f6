"""Errors raised by services and shown beside the field they concern."""

from __future__ import annotations

from caseman.rules.enums import N_


class DomainError(Exception):
    """A rule was broken. ``field`` names the form field (or None for the whole form).

    ``message`` is an English msgid; ``params`` fill its placeholders when translated.
    """

    def __init__(self, field: str | None, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params


class StaleEdit(DomainError):
    """The record changed since the form was opened (optimistic locking)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            None,
            N_(
                "Someone else saved this record after you opened it. Nothing was overwritten: "
                "compare the current values below, then save again."
            ),
        )
        self.current_version = current_version
