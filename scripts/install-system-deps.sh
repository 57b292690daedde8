#!/usr/bin/env bash
# Debian packages the test suite uses: promtool and a real Prometheus server, amtool,
# headless Chromium. Node.js and npm come with the machine image; Debian's are added
# only where they are missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(prometheus prometheus-alertmanager chromium make)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
