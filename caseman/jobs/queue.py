"""The task queue (Huey): SQLite storage under instance/ by default, Redis when
``CASEMAN_QUEUE_URL`` is a ``redis://`` URL.

The consumer imports this module: ``huey_consumer caseman.jobs.queue.huey -w 2 -k thread``
(``make run`` starts it beside the site). Tests switch the queue to immediate mode, which runs each
task at once in the calling thread.
"""

from __future__ import annotations

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from caseman.config import queue_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_huey(url: str) -> Huey:
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("caseman", url=url)  # needs the redis package (see README)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("caseman", filename=str(path))
    raise ValueError(f"CASEMAN_QUEUE_URL must be sqlite:///PATH or redis://…, not {url!r}")


huey = make_huey(queue_url(PROJECT_ROOT / "instance"))
