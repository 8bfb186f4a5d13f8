#!/usr/bin/env bash
# One `npm start` until GET /api/v1/health answers 200, then SIGTERM; for hyperfine:
#   hyperfine -w 1 -r 10 'bench/npm-start-to-healthy.sh CONFIG PORT'
# CONFIG is a config file whose data folder already exists (certificates made), PORT its server.port.
set -u
config=$1 port=$2
cd "$(dirname "$0")/.."
VDS_CONFIG=$config setsid npm start --silent >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/api/v1/health") && [ "$code" = 200 ] && break
  sleep 0.005
done
kill -TERM -- "-$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ "$code" = 200 ]
