#!/bin/sh
# Draws the web app's home-screen icons from public/assets/icon.svg with ffmpeg's librsvg decoder.
# Run it after changing the icon and commit what it writes (the server serves public/ as it is):
#   public/icon-192.png, public/icon-512.png       "any": the rounded icon, transparent corners
#   public/icon-maskable-512.png                   "maskable": full bleed, the arrow inside the safe zone
#   public/apple-touch-icon.png (180x180)          iOS rounds it itself, so full bleed and opaque
#   public/favicon.ico (16, 32 and 48 px)          for browsers that ask for /favicon.ico
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
public="$root/public"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same arrow on a square without rounded corners, scaled to 60 % around the centre: a maskable
# icon's launcher may cut it to a circle of 80 % of the width, and iOS to its own rounded square.
cat >"$work/full-bleed.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="#2563eb"/>
  <g transform="translate(12.8 12.8) scale(0.6)">
    <path d="M32 14v24m-10-10 10 10 10-10" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
    <path d="M18 46h28" stroke="#fff" stroke-width="5" stroke-linecap="round"/>
  </g>
</svg>
SVG

# render SVG SIZE OUT [extra ffmpeg output options]: rasterized at SIZE, not scaled up afterwards.
render() {
  svg=$1 size=$2 out=$3
  shift 3
  ffmpeg -hide_banner -loglevel error -y -width "$size" -height "$size" -i "$svg" -frames:v 1 "$@" "$out"
}

render "$public/assets/icon.svg" 192 "$public/icon-192.png"
render "$public/assets/icon.svg" 512 "$public/icon-512.png"
render "$work/full-bleed.svg" 512 "$public/icon-maskable-512.png"
# Opaque RGB: iOS fills transparent pixels of a touch icon with black.
render "$work/full-bleed.svg" 180 "$public/apple-touch-icon.png" -pix_fmt rgb24

# An ICO holding three PNGs (every browser since IE 11 reads PNG entries): a 6-byte header, one
# 16-byte entry per image (width, height, colours, reserved, planes, bits, size, offset), the images.
for size in 16 32 48; do render "$public/assets/icon.svg" "$size" "$work/favicon-$size.png"; done
node --input-type=module - "$work" "$public/favicon.ico" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs'
const [work, out] = process.argv.slice(2)
const images = [16, 32, 48].map((size) => ({ size, data: readFileSync(`${work}/favicon-${size}.png`) }))
const header = Buffer.alloc(6)
header.writeUInt16LE(0, 0)
header.writeUInt16LE(1, 2) // type 1: icon
header.writeUInt16LE(images.length, 4)
let offset = 6 + 16 * images.length
const entries = images.map(({ size, data }) => {
  const entry = Buffer.alloc(16)
  entry.writeUInt8(size, 0)
  entry.writeUInt8(size, 1)
  entry.writeUInt16LE(1, 4)
  entry.writeUInt16LE(32, 6)
  entry.writeUInt32LE(data.length, 8)
  entry.writeUInt32LE(offset, 12)
  offset += data.length
  return entry
})
writeFileSync(out, Buffer.concat([header, ...entries, ...images.map(({ data }) => data)]))
JS
echo "icons written to $public"
