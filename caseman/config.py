"""Settings from the environment (see DESIGN.md, Contracts → Settings)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from caseman.clock import DEFAULT_TIMEZONE


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'caseman.sqlite3'}"
    # Heroku-style and bare postgresql:// URLs use the psycopg 3 driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def queue_url(instance_path: Path) -> str:
    """The task queue: SQLite under instance/ unless CASEMAN_QUEUE_URL says otherwise."""
    url = os.environ.get("CASEMAN_QUEUE_URL", "").strip()
    return url or f"sqlite:///{instance_path / 'queue.sqlite3'}"


def load_config(instance_path: Path) -> dict[str, object]:
    """Build the Flask config mapping for an app whose instance folder is ``instance_path``."""
    session_hours = int(os.environ.get("CASEMAN_SESSION_HOURS", "12"))
    timezone = os.environ.get("CASEMAN_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        # One clock (caseman.clock): "today" and "now" in this zone, whatever the server's is.
        "CASEMAN_TIMEZONE": timezone,
        "BABEL_DEFAULT_TIMEZONE": timezone,
        "CASEMAN_KEY_TARGET_AGE": int(os.environ.get("CASEMAN_KEY_TARGET_AGE", "80")),
        # Town approval (审核) of the village's registrations, reviews and archives: on | off.
        "CASEMAN_APPROVALS": os.environ.get("CASEMAN_APPROVALS", "on").strip().lower() != "off",
        # A high-risk elder's home-visit rhythm in days (issue 20 item 1; 003 二(二))
        "CASEMAN_HIGH_RISK_VISIT_DAYS": int(os.environ.get("CASEMAN_HIGH_RISK_VISIT_DAYS", "7")),
        "CASEMAN_QUEUE_URL": queue_url(instance_path),
        "CASEMAN_BATCH_LIMIT": int(os.environ.get("CASEMAN_BATCH_LIMIT", "2000")),
        # Field sheets printed while the user waits; more go to the background with progress.
        "CASEMAN_PRINT_NOW_LIMIT": int(os.environ.get("CASEMAN_PRINT_NOW_LIMIT", "60")),
        # Case file bodies kept rendered per worker (caseman.casefile.cache), in MB; 0: none.
        "CASEMAN_CASE_FILE_CACHE_MB": float(os.environ.get("CASEMAN_CASE_FILE_CACHE_MB", "32")),
        "CASEMAN_UPLOADS": os.environ.get("CASEMAN_UPLOADS", str(instance_path / "uploads")),
        # Photos at a visit (issue 18 item 3): bytes of one upload, and photos a visit keeps.
        "CASEMAN_PHOTO_MAX_BYTES": int(os.environ.get("CASEMAN_PHOTO_MAX_BYTES", str(10 << 20))),
        "CASEMAN_PHOTOS_PER_VISIT": int(os.environ.get("CASEMAN_PHOTOS_PER_VISIT", "6")),
        # 互助养老地图 tiles, e.g. https://tile.example.org/{z}/{x}/{y}.png; empty: plain grid only.
        "CASEMAN_MAP_TILES": os.environ.get("CASEMAN_MAP_TILES", ""),
        "CASEMAN_MAP_ATTRIBUTION": os.environ.get("CASEMAN_MAP_ATTRIBUTION", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure also follows request.is_secure (caseman.auth.sessions); behind a TLS proxy set
        # CASEMAN_TRUSTED_PROXIES so that is_secure and the client IP are the real ones.
        "SESSION_COOKIE_SECURE": os.environ.get("CASEMAN_HTTPS", "") == "1",
        "PERMANENT_SESSION_LIFETIME": session_hours * 3600,
        # A session ends after this many minutes without a request, and in any case this many
        # hours after the login (OWASP ASVS 5.0 §7.3).
        "CASEMAN_IDLE_MINUTES": int(os.environ.get("CASEMAN_IDLE_MINUTES", "30")),
        "CASEMAN_SESSION_HOURS": session_hours,
        # Login attempts (password or code) per client IP; the per-username lockout is separate.
        "CASEMAN_LOGIN_RATE_LIMIT": os.environ.get(
            "CASEMAN_LOGIN_RATE_LIMIT", "20 per minute;200 per hour"
        ),
        # How often an hour the duplicate ID check may tell a user that a number is filed outside
        # their area (counted in the audit log; caseman.elders.services.ProbeBudget).
        "CASEMAN_DUPLICATE_PROBES_PER_HOUR": int(
            os.environ.get("CASEMAN_DUPLICATE_PROBES_PER_HOUR", "20")
        ),
        "CASEMAN_TRUSTED_PROXIES": int(os.environ.get("CASEMAN_TRUSTED_PROXIES", "0")),
        "RATELIMIT_ENABLED": True,
        # memory:// counts per process; give several workers a shared store (redis://host:6379).
        "RATELIMIT_STORAGE_URI": os.environ.get("CASEMAN_RATELIMIT_STORAGE", "memory://"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": session_hours * 3600,
        "PAGE_SIZE": 20,
    }
