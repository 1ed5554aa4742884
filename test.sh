#!/usr/bin/env bash
# The test command: builds every module and runs every test. The tests start what they need
# themselves (S3Proxy in process, Azurite installed from npm by the build, PostgreSQL 15
# installed from Debian's packages by dr-postgres's ensure-postgres.sh when missing), so a
# machine with a JDK 17, Maven, Node.js, npm and Python 3 needs nothing started by hand.
# After the Maven build, the scripts' tests (Python 3 standard library only) run against the
# dr.jar it built.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp verify "$@"
python3 -m unittest discover -s scripts/tests
