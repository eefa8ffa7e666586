from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Kq2" * 10,
    "ALLOWED_HOSTS": "portfolio.example.org",
    "DATABASE_URL": "postgres://portfolio:secret@db.example.org:5432/portfolio",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The app's own environment: none of the test run's variables leak into it.
    leaked = {*PRODUCTION, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in leaked}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean["VAR_DIR"] = str(ROOT / "var" / "test-settings")
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_required_setting(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_production_settings_pass_the_deployment_check() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_malformed_debug_value_is_refused_with_its_name() -> None:
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of true/false" in result.stderr
    assert "'maybe'" in result.stderr


def test_malformed_database_url_is_refused() -> None:
    result = run_manage("check", DATABASE_URL="not a url")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_local_defaults_need_no_environment() -> None:
    result = run_manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("yes", True), ("OFF", False), ("1", True), (" false ", False)]
)
def test_env_bool_reads_common_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_env_int_rejects_words_and_values_below_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIZE", "ten")
    with pytest.raises(ImproperlyConfigured, match="SIZE must be a whole number"):
        env_int("SIZE", 1)
    monkeypatch.setenv("SIZE", "-3")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("SIZE", 1, minimum=0)


def test_env_list_rejects_empty_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="no empty entries"):
        env_list("HOSTS", [])
    monkeypatch.setenv("HOSTS", "a.example, b.example")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
