#!/usr/bin/env bash
# Browser tests need Debian's chromium (no browser downloads on this network).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
fi
exec .venv/bin/python scripts/e2e_stack.py
