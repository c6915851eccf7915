#!/usr/bin/env bash
# Install Debian's Chromium and CJK fonts for the browser tests (HTML chain view, report).
# Used by .ci/run; safe to run again. Prints the browser's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh | grep -q .; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >&2
fi
command -v chromium
