"""Check the pinned requirements for known vulnerabilities with pip-audit, offline-tolerant.

pip-audit needs a vulnerability service: PyPI's JSON API (``-s pypi``) or OSV (``-s osv``). Some
machines reach PyPI only through a package mirror that serves the simple index but not the JSON
API, and cannot reach OSV at all. Then no audit is possible: this script says so plainly and exits
0 (CI must not fail for a missing network), instead of reporting every package as "not found".
When a service answers, pip-audit runs against the pinned files and its exit status is ours.

Usage: python scripts/audit_dependencies.py [requirements files…] (default: requirements-dev.txt,
which includes requirements.txt). Set CASEMAN_AUDIT_REQUIRED=1 to make an unreachable service
an error.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs pip-audit from this virtualenv, fixed arguments
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBES = {
    # service name for pip-audit -s → a request that answers 200 with JSON when it works
    "pypi": ("https://pypi.org/pypi/flask/3.1.3/json", None),
    "osv": (
        "https://api.osv.dev/v1/query",
        json.dumps({"package": {"name": "flask", "ecosystem": "PyPI"}, "version": "3.1.3"}),
    ),
}


def reachable(url: str, body: str | None, timeout: float = 10.0) -> bool:
    """Whether ``url`` answers 200 with a JSON document."""
    data = body.encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - fixed https URLs above
        url, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 # nosec B310
            if response.status != 200:
                return False
            json.loads(response.read())
            return True
    except (OSError, urllib.error.URLError, ValueError):
        return False


def pinned_files(argv: list[str]) -> list[Path]:
    """The files to audit; requirements-dev.txt starts with ``-r requirements.txt``."""
    return [Path(arg) for arg in argv] or [ROOT / "requirements-dev.txt"]


def main(argv: list[str]) -> int:
    files = pinned_files(argv)
    service = next((name for name, (url, body) in PROBES.items() if reachable(url, body)), None)
    if service is None:
        message = (
            "pip-audit SKIPPED: no vulnerability service is reachable from this machine "
            f"({', '.join(url for url, _ in PROBES.values())}); the pinned requirements "
            f"({', '.join(f.name for f in files)}) were NOT audited. Run `make lint` where "
            "PyPI's JSON API or OSV is reachable."
        )
        print(message, file=sys.stderr)
        return 1 if os.environ.get("CASEMAN_AUDIT_REQUIRED") == "1" else 0
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--vulnerability-service",
        service,
        "--no-deps",  # every dependency is pinned in the files themselves
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--strict",
    ]
    for path in files:
        command += ["-r", str(path)]
    print(f"pip-audit against {service}: {' '.join(f.name for f in files)}", file=sys.stderr)
    return subprocess.run(command, check=False).returncode  # noqa: S603 # nosec B603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
