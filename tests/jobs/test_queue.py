"""Where the queue lives: SQLite under instance/ by default, Redis when CASEMAN_QUEUE_URL says so
(DESIGN.md, Architecture)."""

from __future__ import annotations

import pytest
from huey import RedisHuey, SqliteHuey

from caseman.config import queue_url
from caseman.jobs.queue import make_huey


def test_default_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("CASEMAN_QUEUE_URL", raising=False)
    assert queue_url(tmp_path) == f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    huey = make_huey(queue_url(tmp_path))
    assert isinstance(huey, SqliteHuey)
    assert huey.storage.filename == str(tmp_path / "queue.sqlite3")


def test_redis_by_url(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEMAN_QUEUE_URL", "redis://queue.example:6380/2")
    huey = make_huey(queue_url(tmp_path))  # connects lazily: no server needed here
    assert isinstance(huey, RedisHuey)
    assert huey.storage.conn.connection_pool.connection_kwargs == {
        "host": "queue.example",
        "port": 6380,
        "db": 2,
    }


def test_anything_else_is_refused():
    with pytest.raises(ValueError, match="CASEMAN_QUEUE_URL"):
        make_huey("amqp://queue.example")
