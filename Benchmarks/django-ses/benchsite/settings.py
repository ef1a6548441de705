"""Settings of the django-ses reference project (SNS benchmark baseline). Configured by environment:

SNS_BENCH_DB            SQLite file (default: /tmp/django-ses-bench/db.sqlite3)
SNS_BENCH_CERT_DOMAINS  comma-separated AWS_SNS_EVENT_CERT_TRUSTED_DOMAINS, e.g. "127.0.0.1:8443"
                        (django-ses compares the URL's host:port labels, see README.md)
SNS_BENCH_TOPIC_ARNS    comma-separated AWS_SNS_EVENT_TRUSTED_TOPIC_ARNS (empty = any topic)
SNS_BENCH_SYNCHRONOUS   SQLite PRAGMA synchronous in WAL mode (default NORMAL; FULL = fsync per commit)
SNS_BENCH_HOST_OVERRIDE optional "host=ip:port" resolved for this process only (see wsgi.py)
REQUESTS_CA_BUNDLE      the test CA, so `requests` trusts the local certificate server
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


SECRET_KEY = "sluice-bench-not-secret"  # local benchmark only; no sessions or auth are used
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["suppressions"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_db = os.environ.get("SNS_BENCH_DB", "/tmp/django-ses-bench/db.sqlite3")
Path(_db).parent.mkdir(parents=True, exist_ok=True)
_sync = os.environ.get("SNS_BENCH_SYNCHRONOUS", "NORMAL").upper()
if _sync not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
    raise ValueError(f"SNS_BENCH_SYNCHRONOUS must be OFF/NORMAL/FULL/EXTRA, got {_sync!r}")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _db,
        "OPTIONS": {
            # Durable store shared by all gunicorn workers: WAL, wait for locks, take the write lock at BEGIN.
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={_sync}; PRAGMA busy_timeout=30000",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }
}

# django-ses: verify every SNS signature (the default, set explicitly) and fetch certs only from our server.
AWS_SES_VERIFY_EVENT_SIGNATURES = True
AWS_SES_VERIFY_BOUNCE_SIGNATURES = True
AWS_SNS_EVENT_CERT_TRUSTED_DOMAINS = _list("SNS_BENCH_CERT_DOMAINS") or ["amazonaws.com"]
AWS_SNS_EVENT_TRUSTED_TOPIC_ARNS = _list("SNS_BENCH_TOPIC_ARNS")
# We store suppressions ourselves (suppressions/receivers.py), not in django-ses's BlacklistedEmail.
AWS_SES_ADD_BOUNCE_TO_BLACKLIST = False
AWS_SES_ADD_COMPLAINT_TO_BLACKLIST = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # django-ses logs every event at INFO; keep WARNING+ (bad signatures, cert fetch errors) only.
    "loggers": {"django_ses": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}
