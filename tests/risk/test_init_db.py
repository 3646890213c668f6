"""A database upgraded to risk levels (issue 20 item 1, 003 二(二)): ``flask init-db`` works out
the level of every elder who has none, so no case file waits for a separate command."""

from __future__ import annotations

import sqlalchemy as sa

from caseman import cli
from caseman.extensions import db
from caseman.risk.models import ElderRiskLevel
from caseman.rules.risk_level import RiskLevel


def test_init_db_works_out_the_levels_an_upgrade_left_missing(app, make_elder, monkeypatch):
    elders = [make_elder(name=name) for name in ("张秀英", "李桂兰")]
    db.session.execute(sa.delete(ElderRiskLevel))  # as after the migration: no level yet
    db.session.commit()
    monkeypatch.setattr(cli, "upgrade", lambda: None)  # the test database is current already

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Risk level worked out for 2 elders." in result.output
    db.session.expire_all()
    rows = db.session.execute(sa.select(ElderRiskLevel.elder_id, ElderRiskLevel.level))
    levels = dict(rows.all())
    # 独居 alone (make_elder's category), never visited: 中 (004 一(三)5).
    assert levels == {elder.id: RiskLevel.MEDIUM for elder in elders}

    again = app.test_cli_runner().invoke(args=["init-db"])
    assert "Risk level" not in again.output  # nothing left to work out
