"""Settings for Tuning Studio, read from the environment.

Every setting has a default that works on a laptop: SQLite, the ORM broker and a
storage root under ``var/`` in the checkout.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _secret_key() -> str:
    if key := os.environ.get("STUDIO_SECRET_KEY"):
        return key
    # A generated key kept beside the database, so sessions survive restarts
    # without a secret ever being committed.
    path = Path(env_str("STUDIO_STORAGE_ROOT", str(BASE_DIR / "var"))) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("STUDIO_DEBUG", False)
STORAGE_ROOT = Path(env_str("STUDIO_STORAGE_ROOT", str(BASE_DIR / "var")))
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_str("STUDIO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "tunes",
    "datasets",
    "lab",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "studio_site.urls"
WSGI_APPLICATION = "studio_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("STUDIO_DATABASE_PATH", str(STORAGE_ROOT / "studio.sqlite3")),
        # The worker and the web server write to the same file; wait for the
        # other's lock instead of failing at once.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        # A file, not memory, so that tests can start a real worker process
        # on the test database.
        "TEST": {"NAME": str(STORAGE_ROOT / "test.sqlite3")},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tunes:list_models"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only a deployment that runs collectstatic sets a static root; otherwise
# WhiteNoise serves straight from the static folders.
STATIC_ROOT = os.environ.get("STUDIO_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True

# Uploads and job outputs live under the storage root, which is never served
# as static or media: every download goes through a view that checks its owner.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SAMPLE_DATA_DIR = BASE_DIR / "sample_data"

# A tune can train for hours: the queue's timeout is generous, and the retry
# delay is longer still so that the broker never hands a running tune to a
# second worker. The tune row is claimed with a conditional update as well.
TUNE_TIMEOUT_SECONDS = env_int("STUDIO_TUNE_TIMEOUT_SECONDS", 48 * 3600)
# A running tune stamps its row this often; one silent for the timeout is
# marked failed (its worker was killed or its machine restarted).
TUNE_HEARTBEAT_SECONDS = env_int("STUDIO_TUNE_HEARTBEAT_SECONDS", 10)
TUNE_HEARTBEAT_TIMEOUT_SECONDS = env_int("STUDIO_TUNE_HEARTBEAT_TIMEOUT_SECONDS", 120)
Q_CLUSTER = {
    "name": "studio",
    "orm": "default",
    "workers": env_int("STUDIO_WORKERS", 1),
    "timeout": TUNE_TIMEOUT_SECONDS,
    "retry": TUNE_TIMEOUT_SECONDS + 3600,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 1000,
    "poll": 1,
    "label": "Worker queue",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "tunes": {"level": "INFO"},
        "datasets": {"level": "INFO"},
        "lab": {"level": "INFO"},
    },
}
