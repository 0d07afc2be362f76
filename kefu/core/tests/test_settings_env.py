"""The environment readers behind kefu.settings, and the production hardening."""

import importlib
import runpy
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kefu.settings.env import env, envbool, envint, envlist


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_envbool_reads_true_values(monkeypatch, value):
    monkeypatch.setenv("KEFU_T_FLAG", value)
    assert envbool("KEFU_T_FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_envbool_reads_false_values(monkeypatch, value):
    monkeypatch.setenv("KEFU_T_FLAG", value)
    assert envbool("KEFU_T_FLAG", True) is False


def test_envbool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("KEFU_T_FLAG", raising=False)
    assert envbool("KEFU_T_FLAG", True) is True


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_envbool_fails_loudly_on_anything_else(monkeypatch, value):
    monkeypatch.setenv("KEFU_T_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="KEFU_T_FLAG must be a boolean"):
        envbool("KEFU_T_FLAG")


def test_envint_reads_integers_and_defaults_when_blank(monkeypatch):
    monkeypatch.setenv("KEFU_T_NUM", "42")
    assert envint("KEFU_T_NUM", 1) == 42
    monkeypatch.setenv("KEFU_T_NUM", "  ")
    assert envint("KEFU_T_NUM", 7) == 7


@pytest.mark.parametrize("value", ["ten", "1.5", "10s"])
def test_envint_fails_loudly_on_a_non_integer(monkeypatch, value):
    monkeypatch.setenv("KEFU_T_NUM", value)
    with pytest.raises(ImproperlyConfigured, match="KEFU_T_NUM must be an integer"):
        envint("KEFU_T_NUM", 1)


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("KEFU_T_LIST", " a.example, ,b.example ,")
    assert envlist("KEFU_T_LIST", ["x"]) == ["a.example", "b.example"]
    monkeypatch.delenv("KEFU_T_LIST")
    assert envlist("KEFU_T_LIST", ["x"]) == ["x"]


def test_file_variant_holds_a_secret_and_wins_over_the_plain_variable(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-值\n", encoding="utf-8")
    monkeypatch.setenv("KEFU_T_SECRET", "plain")
    monkeypatch.setenv("KEFU_T_SECRET_FILE", str(secret))
    assert env("KEFU_T_SECRET") == "s3cr3t-值"


def test_file_variant_feeds_the_typed_readers(monkeypatch, tmp_path):
    (tmp_path / "flag").write_text("yes\n", encoding="utf-8")
    (tmp_path / "num").write_text("12\n", encoding="utf-8")
    monkeypatch.setenv("KEFU_T_FLAG_FILE", str(tmp_path / "flag"))
    monkeypatch.setenv("KEFU_T_NUM_FILE", str(tmp_path / "num"))
    assert envbool("KEFU_T_FLAG") is True
    assert envint("KEFU_T_NUM", 0) == 12


def test_file_variant_pointing_at_a_missing_file_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_T_SECRET_FILE", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError):
        env("KEFU_T_SECRET")


def _import_production():
    sys.modules.pop("kefu.settings.production", None)
    try:
        return importlib.import_module("kefu.settings.production")
    finally:
        sys.modules.pop("kefu.settings.production", None)


def test_production_settings_refuse_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("KEFU_SECRET_KEY", raising=False)
    monkeypatch.delenv("KEFU_SECRET_KEY_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="KEFU_SECRET_KEY must be set"):
        _import_production()


def test_production_settings_are_hardened(monkeypatch):
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("KEFU_DEBUG", "1")  # ignored in production
    production = _import_production()
    assert production.SECRET_KEY == "x" * 60
    assert production.DEBUG is False
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.X_FRAME_OPTIONS == "DENY"


def test_production_settings_read_a_bad_boolean_as_an_error(monkeypatch):
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("KEFU_SECURE_SSL_REDIRECT", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="KEFU_SECURE_SSL_REDIRECT"):
        _import_production()


def _base_settings() -> dict:
    """The base settings module's names, computed afresh from the current environment."""
    import kefu.settings

    return runpy.run_path(kefu.settings.__file__, run_name="kefu.settings")


def test_a_sqlite_url_gets_kefus_engine_and_pragmas(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    default = _base_settings()["DATABASES"]["default"]
    assert default["ENGINE"] == "kefu.core.db.sqlite3"
    assert default["NAME"] == f"{tmp_path}/other.sqlite3"
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in default["OPTIONS"]["init_command"]
    assert "PRAGMA synchronous=NORMAL;" in default["OPTIONS"]["init_command"]


def test_a_postgres_url_is_used_as_given(monkeypatch):
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgres://kefu:secret@db.example:5433/kefu")
    default = _base_settings()["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["HOST"], default["PORT"], default["NAME"]) == ("db.example", 5433, "kefu")
    assert default["CONN_HEALTH_CHECKS"] is True
