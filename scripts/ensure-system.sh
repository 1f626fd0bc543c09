#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for browser tests, gettext for translations.
set -euo pipefail
missing=()
# `ensure-system.sh venv`: only what `python3.11 -m venv` needs (Debian splits ensurepip off).
if [ "${1:-}" = "venv" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3.11-venv >/dev/null
  exit 0
fi
command -v chromium >/dev/null || missing+=(chromium)
command -v msgfmt >/dev/null || missing+=(gettext)
# A Chinese font, so that browser tests measure (and screenshots show) real glyphs, not boxes.
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
chromium --version
