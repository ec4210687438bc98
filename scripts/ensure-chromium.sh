#!/bin/sh
# Installs Debian's Chromium for the browser e2e test (test/e2e). Run from npm's
# `pretest`; it never fails the test run: without root or apt the e2e test
# reports itself pending (or fails under CI) with instructions.
set -u

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  exit 0
fi

echo "ensure-chromium: installing Debian's chromium (needed by test/e2e)" >&2
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >/dev/null && \
   apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
  echo "ensure-chromium: installed /usr/bin/chromium" >&2
else
  echo "ensure-chromium: apt-get install chromium failed; the e2e test will be skipped" >&2
fi
exit 0
