"""Approval forms: shape only (the rules are in caseman.rules.approvals)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from caseman.forms import BaseForm


class ApproveForm(BaseForm):
    approve = SubmitField(_l("Approve"))


class ReturnForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for returning"),
        validators=[Length(max=300)],
        description=_l("The village sees this reason and answers it."),
    )
    send_back = SubmitField(_l("Return to the village"))


class ResubmitForm(BaseForm):
    answer = TextAreaField(
        _l("Your answer"),
        validators=[Length(max=300)],
        description=_l("What was corrected, or why the change stands as it is."),
    )
    resubmit = SubmitField(_l("Resubmit to the town"))


class WithdrawForm(BaseForm):
    withdraw = SubmitField(_l("Withdraw the archive"))
