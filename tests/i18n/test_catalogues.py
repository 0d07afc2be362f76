"""Every translation catalogue is complete: each string in the source has a Chinese translation.

Every Django app under kefu/ (a folder with apps.py) keeps its own catalogue in
kefu/<app>/locale; kefu/locale holds the rest (templates, apikit, settings, kefu/*.py), as
``scripts/makemessages.sh`` lays them out. These tests do not touch the database, so CI runs them
once (marker ``dbless``).
"""

import contextlib
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command

import conftest

PACKAGE = Path(__file__).resolve().parents[2] / "kefu"
APPS = sorted(path.parent.name for path in PACKAGE.glob("*/apps.py"))
CATALOGUES = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))

pytestmark = pytest.mark.dbless


def _read(po_path: Path):
    with po_path.open("rb") as handle:
        return read_po(handle, locale="zh_Hans")


def _keys(catalog) -> set[tuple[str | None, str]]:
    keys = set()
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        keys.add((message.context, msgid))
    return keys


def _extracted_keys(source: Path, skip: set[str], tmp_path: Path) -> set[tuple[str | None, str]]:
    """Run makemessages on a copy of ``source`` (without ``skip`` folders) and read the result."""
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        conftest.service_unavailable("GNU gettext (xgettext, msguniq) is not installed")
    copy = tmp_path / source.name
    ignore = shutil.ignore_patterns("__pycache__", "static", "locale", "*.mo", "*.po", *skip)
    shutil.copytree(source, copy, ignore=ignore)
    (copy / "locale").mkdir()
    with contextlib.chdir(copy):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    extracted = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not extracted.exists():
        return set()
    return _keys(_read(extracted))


def _describe(keys) -> str:
    return "\n".join(
        f"  {msgid!r}" + (f" (context {context!r})" if context else "")
        for context, msgid in sorted(keys, key=lambda key: (key[0] or "", key[1]))
    )


def test_there_are_catalogues():
    assert PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_catalogue_has_no_untranslated_or_fuzzy_entries(po_path):
    catalog = _read(po_path)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"untranslated in {po_path}: {untranslated}"
    assert not fuzzy, f"fuzzy (unchecked) in {po_path}: {fuzzy}"


@pytest.mark.parametrize("app", APPS)
def test_app_catalogue_holds_every_string_of_the_app(app, tmp_path):
    source = PACKAGE / app
    extracted = _extracted_keys(source, set(), tmp_path)
    po_path = source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not extracted:
        return
    assert po_path.exists(), (
        f"kefu/{app} has {len(extracted)} translatable strings but no catalogue: "
        f"run scripts/makemessages.sh {app} and translate it"
    )
    missing = extracted - _keys(_read(po_path))
    assert not missing, (
        f"kefu/{app}/locale lacks {len(missing)} string(s) found in the source "
        f"(run scripts/makemessages.sh {app} and translate them):\n{_describe(missing)}"
    )


def test_project_catalogue_holds_every_string_outside_the_apps(tmp_path):
    extracted = _extracted_keys(PACKAGE, set(APPS), tmp_path)
    po_path = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    missing = extracted - _keys(_read(po_path))
    assert not missing, (
        f"kefu/locale lacks {len(missing)} string(s) found in kefu/templates, apikit, settings "
        f"or kefu/*.py (run scripts/makemessages.sh project and translate them):\n"
        f"{_describe(missing)}"
    )
