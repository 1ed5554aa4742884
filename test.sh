#!/usr/bin/env bash
# The test command: builds every module and runs every test. The tests start what they need
# themselves (S3Proxy in process, Azurite installed from npm by the build), so a machine
# with a JDK 17, Maven, Node.js and npm needs nothing started by hand.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -ntp verify "$@"
