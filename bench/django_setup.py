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


PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def run_on_databases(script: str, databases: list[str], args: list[str], *, name: str) -> dict:
    """Run `script --single <url> args` in a child process on a fresh database of each kind
    ("sqlite", "postgres"), and return each child's last printed line, read as JSON."""
    import json
    import subprocess
    import tempfile

    def pg(*command: str) -> None:
        subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres", name], check=True, capture_output=True)

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for database in databases:
            if database == "sqlite":
                url = f"sqlite:///{tmp}/{name}.sqlite3"
            else:
                pg("dropdb", "--if-exists")
                pg("createdb")
                url = f"{PG_SERVER}/{name}"
            out = subprocess.run([sys.executable, script, "--single", url, *args], check=True, capture_output=True,
                                 text=True)
            results[database] = json.loads(out.stdout.strip().splitlines()[-1])
            if database == "postgres":
                pg("dropdb")
    return results
