"""Compile every ``.po`` catalogue under the kefu package to ``.mo``, without GNU gettext.

Django's ``compilemessages`` needs the ``msgfmt`` binary; Babel does the same in Python, so a
fresh clone needs no system package to show Chinese. Fuzzy entries are left out, as msgfmt does.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo)."

    def handle(self, *args, **options):
        root = Path(settings.PACKAGE_DIR)
        count = 0
        for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parts[-3].replace("-", "_"))
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
