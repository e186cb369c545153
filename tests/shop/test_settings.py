"""Settings come from the environment; each case runs Django in a fresh process with that environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Qp2mV9sLk4Tz8Rw1Yb6Nc3Hd5Jf0Gg7Ue2Ia9Oo4Pq1Ls8Kv3Mx6Cz5Bn0Dr",
    "ALLOWED_HOSTS": "shop.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "EMAIL_USER": "billing@example.com",
    "EMAIL_PASSWORD": "secret",
}


OUR_VARIABLES = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "EMAIL_PORT",
                 "EMAIL_USER", "EMAIL_PASSWORD", "EMAIL_USE_TLS", "EMAIL_BACKEND", "ANYMAIL_API_KEY",
                 "SECURE_SSL_REDIRECT", "TIME_ZONE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean_env, **env, "DJANGO_SETTINGS_MODULE":
                          "shop.settings"}, capture_output=True, text=True, timeout=120)


def settings_in(env: dict[str, str], *names: str) -> dict:
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))")
    result = run_django(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_django(["manage.py", "check"], env)
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_postgres_database_url_is_used():
    got = settings_in({**PRODUCTION, "DATABASE_URL": "postgres://galla:pw@db.example.com:5433/galla"}, "DATABASES")
    db = got["DATABASES"]["default"]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == (
        "django.db.backends.postgresql", "db.example.com", 5433, "galla")


def test_redis_url_switches_cache_and_task_broker_to_redis():
    got = settings_in({**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3"}, "CACHES", "Q_CLUSTER")
    assert got["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert got["Q_CLUSTER"]["redis"] == "redis://127.0.0.1:6379/3" and "orm" not in got["Q_CLUSTER"]


def test_without_redis_the_database_is_the_broker():
    got = settings_in(PRODUCTION, "CACHES", "Q_CLUSTER")
    assert got["Q_CLUSTER"]["orm"] == "default" and "redis" not in got["Q_CLUSTER"]
    assert got["Q_CLUSTER"]["retry"] > got["Q_CLUSTER"]["timeout"]
    assert got["Q_CLUSTER"]["catch_up"] is False


def test_email_settings_build_an_smtp_mailer():
    got = settings_in({**PRODUCTION, "EMAIL_PORT": "465", "EMAIL_USE_TLS": "false"}, "MAILERS")
    mailer = got["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] | {"password": "?"} == {
        "host": "smtp.example.com", "port": 465, "username": "billing@example.com", "password": "?",
        "use_tls": False, "timeout": 20}


def test_anymail_backend_takes_its_api_key():
    got = settings_in({**PRODUCTION, "EMAIL_BACKEND": "anymail.backends.sendgrid.EmailBackend",
                       "ANYMAIL_API_KEY": "SG.key"}, "MAILERS")
    assert got["MAILERS"]["default"] == {"BACKEND": "anymail.backends.sendgrid.EmailBackend",
                                         "OPTIONS": {"api_key": "SG.key"}}


def test_time_zone_defaults_to_india():
    assert settings_in(PRODUCTION, "TIME_ZONE")["TIME_ZONE"] == "Asia/Kolkata"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = ("import django; django.setup(); from django.db import connection as c; cur = c.cursor(); "
            "cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0], c.transaction_mode)")
    result = run_django(["-c", code], {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_a_new_install_migrates_from_an_empty_database(tmp_path):
    """Regression: system checks that query the database once broke `migrate` on a fresh install."""
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    result = run_django(["manage.py", "migrate", "--noinput"], env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Applying sales.0001_initial... OK" in result.stdout
