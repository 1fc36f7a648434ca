#!/usr/bin/env bash
# install-chromium.sh installs Debian's chromium for the report package's
# browser test (report.TestRendersInChromium), unless a Chromium or Chrome
# binary is already on PATH. Needs root (apt-get).
set -euo pipefail

for bin in chromium chromium-browser google-chrome; do
	if command -v "$bin" >/dev/null 2>&1; then
		echo "install-chromium: found $(command -v "$bin")"
		exit 0
	fi
done

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium
command -v chromium
