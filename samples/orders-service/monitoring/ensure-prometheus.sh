#!/usr/bin/env bash
# Installs Debian's prometheus and prometheus-alertmanager packages when their binaries are
# missing; does nothing when both are there. PrometheusAlertmanagerLoopTest runs it before it
# starts them.
set -euo pipefail
if command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "prometheus or prometheus-alertmanager is missing and there is no apt-get to install them" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq && $sudo apt-get install -y -qq prometheus prometheus-alertmanager
