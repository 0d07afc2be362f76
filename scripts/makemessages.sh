#!/usr/bin/env bash
# Update the zh_Hans translation catalogues from the source code (needs GNU gettext).
# Every Django app under kefu/ (a folder with apps.py) keeps its own catalogue in
# kefu/<app>/locale; the project-level one, kefu/locale, holds the rest: kefu/templates,
# kefu/apikit, kefu/settings and kefu/*.py.
#   scripts/makemessages.sh            every catalogue
#   scripts/makemessages.sh project    only kefu/locale
#   scripts/makemessages.sh customers  only kefu/customers/locale (created if missing)
# Then translate every new entry (no empty msgstr, no fuzzy flag) and run
# `.venv/bin/kefu i18n_compile`; tests/i18n checks both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kefu="$root/.venv/bin/kefu"
only="${1:-}"
cd "$root/kefu"

ignores=(--ignore "static/*" --ignore "locale/*")
for apps_py in */apps.py; do
  app="${apps_py%/apps.py}"
  ignores+=(--ignore "$app/*")
  if [ "$only" = "$app" ] || { [ -z "$only" ] && [ -d "$app/locale" ]; }; then
    mkdir -p "$app/locale"
    (cd "$app" && "$kefu" makemessages -l zh_Hans --no-obsolete -v0)
    echo "updated kefu/$app/locale/zh_Hans/LC_MESSAGES/django.po"
  fi
done
if [ -z "$only" ] || [ "$only" = "project" ]; then
  mkdir -p locale
  "$kefu" makemessages -l zh_Hans --no-obsolete -v0 "${ignores[@]}"
  echo "updated kefu/locale/zh_Hans/LC_MESSAGES/django.po"
fi
