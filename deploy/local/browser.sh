#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no Playwright browser download) and need a
# Chinese font to render the pages; installs both with apt when they are missing.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium chromium-driver)
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  packages+=(fonts-noto-cjk)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "[browser] missing ${packages[*]} and no apt-get here: install Chromium at /usr/bin/chromium" \
       "and a CJK font yourself, or the browser tests (tests/e2e/browser) will fail" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt=($sudo apt-get -o DPkg::Lock::Timeout=600)  # waits for another apt instead of failing on its lock
echo "[browser] installing ${packages[*]} with apt (for the browser tests; about a minute)"
log=$(mktemp)
if ! { "${apt[@]}" install -y "${packages[@]}" >"$log" 2>&1 \
       || { "${apt[@]}" update >>"$log" 2>&1 && "${apt[@]}" install -y "${packages[@]}" >>"$log" 2>&1; }; }; then
  tail -15 "$log" >&2
  echo "[browser] apt-get install of ${packages[*]} failed (log: $log); run it yourself:" \
       "sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
rm -f "$log"
echo "[browser] installed ${packages[*]}"
