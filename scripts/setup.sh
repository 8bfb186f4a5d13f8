#!/usr/bin/env bash
# Installs what Video Download Server needs and is missing, then builds it.
#   scripts/setup.sh          yt-dlp, gallery-dl, ffmpeg, node modules, build
#   scripts/setup.sh --test   also what `npm test` needs (chromium, openssl, sqlite3, testssl, current
#                             yt-dlp and gallery-dl beside the system ones)
# Works on Debian/Ubuntu (apt-get), Fedora (dnf) and macOS (Homebrew). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=false
[[ "${1:-}" == "--test" ]] && with_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"; fi
}

# The Node lines every dependency supports (package.json "engines"; test/package.test.ts keeps it true).
node_help="install Node.js 24 (LTS) from https://nodejs.org or your package manager (Debian/Raspberry Pi OS: NodeSource), or 22.13+, or 20.19+"
command -v node >/dev/null || die "Node.js is required: $node_help"
node_major=$(node -p 'process.versions.node.split(".")[0]')
node_minor=$(node -p 'process.versions.node.split(".")[1]')
if ! { (( node_major == 20 && node_minor >= 19 )) || (( node_major == 22 && node_minor >= 13 )) || (( node_major >= 24 )); }; then
  die "Node.js $(node -v) is not supported; $node_help"
fi

packages=()
command -v yt-dlp >/dev/null || packages+=(yt-dlp)
command -v gallery-dl >/dev/null || packages+=(gallery-dl)
command -v ffmpeg >/dev/null || packages+=(ffmpeg)
if $with_test; then
  command -v openssl >/dev/null || packages+=(openssl)
  command -v sqlite3 >/dev/null || packages+=(sqlite3)
  command -v dpkg >/dev/null && { command -v testssl >/dev/null || packages+=(testssl.sh); }
  [[ -x /usr/bin/chromium ]] || [[ "$(uname)" == Darwin ]] || packages+=(chromium)
fi
# Native module build (better-sqlite3 compiles from source when no prebuilt binary is reachable).
if [[ "$(uname)" != Darwin ]]; then
  command -v make >/dev/null || packages+=(make)
  command -v g++ >/dev/null || packages+=(g++)
  command -v python3 >/dev/null || packages+=(python3)
fi

if (( ${#packages[@]} > 0 )); then
  say "installing ${packages[*]}"
  if command -v apt-get >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
  elif command -v dnf >/dev/null; then
    as_root dnf install -y "${packages[@]}"
  elif command -v brew >/dev/null; then
    brew install "${packages[@]}"
  else
    die "install these yourself, then run this again: ${packages[*]}"
  fi
fi

if $with_test && command -v dpkg >/dev/null; then
  say "current yt-dlp and gallery-dl for the tests (unpacked into .cache/downloaders)"
  bash scripts/current-downloaders.sh >/dev/null
fi

say "installing node modules"
npm ci --no-audit --no-fund
say "building"
npm run build --silent
say "ready: npm start (first start prints your API key and creates ./data, ./downloads, ./logs)"
