#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server when its binaries are missing; does nothing when
# they are there. The dr-postgres tests run it before they start a server.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
if [ -x "$bin/postgres" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "PostgreSQL 15 is missing from $bin and there is no apt-get to install it" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql-15
