#!/usr/bin/env bash
# Debian packages the tests use for real (headless Chromium for the HTML report, libseccomp for the sandbox).
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
ldconfig -p 2>/dev/null | grep -q libseccomp.so.2 || need+=(libseccomp2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[system-deps] apt-get install ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "[system-deps] missing ${need[*]}: install them with apt (needs root)" >&2
  fi
fi
