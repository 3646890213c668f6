"""Issue 17 item 1: one clock. "Today" and "now" come from caseman.clock (Beijing time by
default), never from the server's zone: no ``date.today()`` or ``datetime.now(`` elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CLOCK = re.compile(
    r"\bdate\.today\(\)|\bdatetime\.now\(|\bdatetime\.utcnow\(|\btime\.localtime\("
)


def test_nothing_but_the_clock_asks_the_server_for_the_time():
    offenders = []
    for folder in ("caseman", "scripts", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in (ROOT / "caseman" / "clock.py", Path(__file__).resolve()):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SERVER_CLOCK.search(line.split("#")[0]):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use caseman.clock:\n" + "\n".join(offenders)


def test_templates_print_no_raw_times():
    """Stored moments go through ``localtime``/``localdate``, typed times ``walltime``, dates
    ``cndate``: no ``strftime``/``isoformat``/UTC labels in the pages."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.strftime\(|\.isoformat\(\)|datetimeformat|\(UTC\)", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
