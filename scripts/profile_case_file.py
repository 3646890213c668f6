"""The cost of one case file request, in process (issue 21 goal 3): ``PYTHONPATH=. python
scripts/profile_case_file.py --database-url URL [--requests N] [--profile] [--top K]``.

A warm application (as the WSGI entry builds it), the Flask test client logged in as the first
town user (as scripts/bench_scale.py does), and ``--requests`` case files of different elders of
that town. It prints milliseconds per request, SQL statements per request and, with
``--profile``, Python function calls per request (cProfile) and the functions that cost most.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import _logged_in_client, _sample, load_average  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/profile_case_file.py", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from caseman import create_app, freeze_long_lived
    from caseman.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "WTF_CSRF_ENABLED": False})
    freeze_long_lived()
    results, _queries, _town = _sample(app)
    client = _logged_in_client(app, results["username"])
    sample: list[int] = results["sample"]
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)

    def run(n: int, offset: int = 0) -> None:
        for k in range(n):
            response = client.get(f"/elders/{sample[(offset + k) % len(sample)]}")
            if response.status_code != 200:
                raise SystemExit(f"answered {response.status_code}")
            response.close()

    with app.app_context():
        run(min(len(sample), args.requests))  # warm: every statement compiled once, every page
        statements[0] = 0
        started = time.perf_counter()
        run(args.requests, 3)
        elapsed = time.perf_counter() - started
        per_request = statements[0] / args.requests
        print(f"case file /elders/<id>, {args.requests} requests of {len(sample)} elders "
              f"({load_average()})")  # fmt: skip
        print(f"  {elapsed / args.requests * 1000:.1f} ms per request, "
              f"{per_request:.1f} SQL statements per request")  # fmt: skip
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            run(args.requests, 11)
            profiler.disable()
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            print(f"  {stats.total_calls / args.requests:.0f} Python calls per request (cProfile)")
            stats.sort_stats(args.sort).print_stats(args.top)
            print(stream.getvalue())


if __name__ == "__main__":
    main()
