#!/usr/bin/env bash
# Puts current yt-dlp and gallery-dl beside the system ones, for tests that run both versions:
# Debian unstable's architecture-independent packages, unpacked with `dpkg -x` into
# .cache/downloaders/ (never installed system-wide), each with a small launcher script.
#   scripts/current-downloaders.sh          fetch (once) and print the launcher paths
# The archive is the one apt already uses (first URIs entry of the Debian sources).
set -euo pipefail
cd "$(dirname "$0")/.."

YTDLP_DEB=pool/main/y/yt-dlp/yt-dlp_2026.10.26-1_all.deb
GALLERY_DL_DEB=pool/main/g/gallery-dl/gallery-dl_1.32.18-1_all.deb
out=.cache/downloaders
mkdir -p "$out"

archive() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n "$uri" ]] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  [[ -n "$uri" ]] || { echo "current-downloaders: no Debian archive in apt's sources" >&2; exit 1; }
  printf '%s' "${uri%/}"
}

# unpack NAME DEB MODULE: unpacks the package once and writes $out/NAME, a launcher for `python3 -m MODULE`.
unpack() {
  local name=$1 deb=$2 module=$3 dir="$out/$1.d"
  if [[ ! -x "$out/$name" ]]; then
    command -v dpkg >/dev/null || { echo "current-downloaders: dpkg is needed" >&2; exit 1; }
    local file="$out/$(basename "$deb")"
    if [[ ! -s "$file" ]]; then
      curl -fsSL --retry 3 -o "$file.part" "$(archive)/$deb" || { echo "current-downloaders: could not fetch $deb" >&2; exit 1; }
      mv "$file.part" "$file"
    fi
    rm -rf "$dir" && dpkg -x "$file" "$dir"
    cat > "$out/$name" <<LAUNCHER
#!/bin/sh
PYTHONPATH="$(pwd)/$dir/usr/lib/python3/dist-packages" exec python3 -m $module "\$@"
LAUNCHER
    chmod +x "$out/$name"
  fi
  printf '%s\n' "$(pwd)/$out/$name"
}

unpack yt-dlp "$YTDLP_DEB" yt_dlp
unpack gallery-dl "$GALLERY_DL_DEB" gallery_dl
