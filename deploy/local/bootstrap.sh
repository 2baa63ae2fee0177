#!/usr/bin/env bash
# Creates .venv and installs the project with its dev tools; a no-op when pyproject.toml
# has not changed since the last install. pip's download cache lives outside the repo.
# Checked every time: Debian's Chromium and a Chinese font for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
./deploy/local/browser.sh

venv=.venv
stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
[ -f "$stamp" ] && exit 0

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "[bootstrap] needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "[bootstrap] creating $venv"
  "$python" -m venv "$venv"
fi
echo "[bootstrap] installing Python packages (first run takes about a minute)"
"$venv/bin/python" -m pip install --quiet --upgrade pip
if ! "$venv/bin/python" -m pip install --progress-bar on -e ".[dev]"  > "$venv/pip-install.log" 2>&1; then
  tail -20 "$venv/pip-install.log" >&2
  echo "[bootstrap] pip install failed; full log in $venv/pip-install.log" >&2
  exit 1
fi
rm -f "$venv"/.installed-*
touch "$stamp"
echo "[bootstrap] Python environment ready in $venv"
