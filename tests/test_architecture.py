"""Issue 22 items 2 and 4: every room where a newcomer looks for it.

Each package of caseman/ sits on a floor and imports only from its own floor and the floors
below it, at the top of a module or inside a function alike. README.md ("Architecture")
describes this table: change both together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "caseman"

# The floors, bottom first. ``caseman`` is caseman/__init__.py (create_app); ``demo`` is the demo
# data (the caseman/demo/ package).
FLOORS: dict[str, tuple[str, ...]] = {
    "core": ("access", "areas", "audit", "auth", "clock", "config", "db", "errors", "extensions",
             "forms", "i18n", "rules", "scope", "spreadsheets", "url_input"),
    "registry": ("elders",),
    "features": ("approvals", "area_figures", "audit_log", "benefits", "documents", "exports",
                 "family", "forces", "imports", "jobs", "ledger", "mutual_aid", "offline",
                 "photos", "records", "referrals", "risk", "search", "submissions", "transfers",
                 "users", "visitors", "visits"),
    "pages": ("casefile", "dashboard"),
    "app": ("caseman", "backup", "cli", "demo", "templating"),
}  # fmt: skip

# The imports that go up a floor, each with its reason; none leaves the registry.
_SCOPED = "the scope guard lists every table that belongs to an elder (scope._scoped_children)"
UPWARD: dict[tuple[str, str], str] = {
    ("scope", "elders"): "who sees what is decided on the elder's residence and visitors",
    **{("scope", feature): _SCOPED for feature in
       ("benefits", "documents", "family", "forces", "referrals", "risk", "visits")},
    ("areas", "elders"): "an area with elders living in it cannot be closed or merged away",
    ("areas", "imports"): "the area tree is read from a spreadsheet like other imports",
    ("db", "caseman"): "SQLite's write lock of a request is taken by the app (db.begin_write)",
    ("jobs", "caseman"): "the worker builds the app, and shares its write lock and read-only views",
    ("audit_log", "templating"): "the audit log names changed fields as the forms label them",
}  # fmt: skip


def floor_of(package: str) -> int:
    for number, packages in enumerate(FLOORS.values()):
        if package in packages:
            return number
    raise AssertionError(f"caseman.{package} is on no floor: add it to FLOORS (and README.md)")


def package_of(module: str) -> str:
    """``caseman.visits.queries`` → ``visits``; caseman/__init__.py's own names → ``caseman``."""
    parts = module.split(".")
    if len(parts) == 1:
        return "caseman"
    name = parts[1]
    if name.startswith("demo") or name == "bench":
        return "demo"
    if (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file():
        return name
    return "caseman"  # from caseman import create_app, WRITER, read_only …


def imported_packages(source: str) -> set[str]:
    """The caseman packages a module's source imports, anywhere in it (functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "caseman":
                modules = [f"caseman.{alias.name}" for alias in node.names]
            else:
                modules = [node.module]
        else:
            continue
        found |= {package_of(m) for m in modules if m == "caseman" or m.startswith("caseman.")}
    return found


def violations(package: str, source: str) -> list[str]:
    """The imports of a module of ``package`` that go up a floor without a reason in UPWARD."""
    return sorted(
        f"{package} imports {other}"
        for other in imported_packages(source)
        if other != package
        and floor_of(other) > floor_of(package)
        and (package, other) not in UPWARD
    )


def _modules() -> list[tuple[str, Path]]:
    """(package, path) of every module under caseman/."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = [p for p in path.relative_to(PACKAGE).with_suffix("").parts if p != "__init__"]
        found.append((package_of(".".join(("caseman", *parts))), path))
    return found


def test_every_package_imports_only_its_floor_and_below():
    found = []
    for package, path in _modules():
        for problem in violations(package, path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}: {problem}")
    assert found == [], "\n".join(found)


def test_every_upward_import_is_still_needed():
    used = set()
    for package, path in _modules():
        for other in imported_packages(path.read_text(encoding="utf-8")):
            used.add((package, other))
    assert sorted(set(UPWARD) - used) == []


def test_every_package_is_on_a_floor():
    for package, _path in _modules():
        floor_of(package)


def test_the_registry_imports_no_feature():
    """Issue 22 item 2: caseman/elders/ holds the registry only (the case file is casefile's)."""
    assert not [key for key in UPWARD if key[0] == "elders"]
    above = set()
    for package, path in _modules():
        if package == "elders":
            above |= {
                other
                for other in imported_packages(path.read_text(encoding="utf-8"))
                if floor_of(other) > floor_of("elders")
            }
    assert above == set()


@pytest.mark.parametrize(
    "source",
    [
        "from caseman.visits.queries import timeline\n",
        "def page():\n    from caseman.visits import labels\n",
        "import caseman.approvals.services\n",
        "from caseman import casefile\n",
    ],
)
def test_a_feature_imported_by_the_registry_fails(source):
    assert violations("elders", source) != []


def test_the_registry_may_import_the_core():
    source = "from caseman import audit, clock\nfrom caseman.scope import elder_filter\n"
    assert violations("elders", source) == []
    assert violations("casefile", "from caseman.visits.queries import timeline\n") == []
