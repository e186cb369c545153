"""Start Django on a throwaway database for a benchmark script (each script runs it once per process)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django(database_url: str, *, settings: str = "shop.settings", **environment: str) -> None:
    """Point Django at `database_url`, set it up and migrate; extra keyword arguments become env variables."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.update({"LOG_LEVEL": "WARNING", "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", **environment})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
