#!/usr/bin/env bash
# Install what the test suite needs from Debian's packages: Chromium for browser tests, a CJK font
# (or Chinese renders as boxes), Dovecot for the IMAP tests, gettext for makemessages, and the
# PostgreSQL and Redis clients scripts/ensure-services.sh uses.
# Idempotent: installs only what is missing. Needs root (or passwordless sudo) to install.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# grep without -q reads all of fc-list (with -q, fc-list dies of SIGPIPE and pipefail reports it)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "Not root: install these yourself to run every test: ${need[*]}" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
