"""The build and CI scripts parse, and CI keeps requiring its services."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / ".ci" / "run", *sorted((ROOT / "scripts").glob("*.sh"))]

pytestmark = pytest.mark.dbless


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_script_parses(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_ci_requires_services_and_runs_both_databases():
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export KEFU_REQUIRE_SERVICES=1" in text
    assert text.count("make test") == 2
    assert "KEFU_DATABASE_URL=" in text
    assert "make lint" in text
    assert "make check" in text


def test_make_targets_resolve_without_running():
    result = subprocess.run(
        ["make", "-n", "run", "test", "check", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "run_huey" in result.stdout
    assert "gunicorn kefu.wsgi" in result.stdout
    assert "demo_logins" in result.stdout
    assert "pytest -n 2" in result.stdout
