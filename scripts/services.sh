#!/usr/bin/env bash
# Installs the servers the ClickHouse store tests run against, when they are missing:
# Debian's clickhouse-server/clickhouse-client (18.16) and redis-server; and curl, which the
# README tour uses (test/cli/readme-tour.test.ts runs it as written); and Debian's chromium, which
# the dashboard's browser test drives with playwright-core (nothing downloads a browser).
# The tests start their own instances in temp dirs (test/support/services.ts); the
# packages' system services are not used, so they are stopped/disabled where possible.
set -euo pipefail

missing=()
command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ]; then
  echo "services: clickhouse, redis-server, curl and chromium already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "services: installing ${missing[*]}"
# policy-rc.d exit 101 keeps the packages from starting their system services during install:
# the tests run their own instances on free loopback ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "services: installed"
