#!/usr/bin/env bash
# Installs the Debian packages PM Academy needs, when they are missing.
#   Pango (WeasyPrint), fonts with real bold/italic and non-Latin glyphs (certificates),
#   bubblewrap, util-linux, mount and Debian's python3 (the grading sandbox runs kernels on it), poppler-utils (tests read rendered certificates),
#   gettext (msgfmt compiles the translation catalogues: `make messages`, docs/i18n.md),
#   and, for `make test` (PMA_WITH_TEST_SERVERS=1): chromium (browser tests), redis-server (the RQ
#   integration and fault tests start their own on loopback), Node.js and npm (axe-core for the
#   accessibility checks comes from the npm registry).
# Without root or sudo it prints, in one line, what to install, and carries on.
set -euo pipefail

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk
  bubblewrap util-linux mount python3 poppler-utils gettext
)
if [[ "${PMA_WITH_TEST_SERVERS:-0}" == "1" ]]; then
  packages+=(chromium redis-server)
  # The machine's own Node.js counts (it may not come from Debian).
  command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "PM Academy needs these Debian packages; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
