"""Display labels of transfers (English msgids, translated by Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.transfers import TransferStatus

STATUS = {
    TransferStatus.PENDING: _l("Waiting for the receiving village"),
    TransferStatus.ACCEPTED: _l("Accepted"),
    TransferStatus.REFUSED: _l("Not taken on"),
    TransferStatus.CANCELLED: _l("Taken back"),
}
