#!/usr/bin/env bash
# Installs what selfstream needs from the OS: a JDK 17+, Maven, the Fashion-MNIST data set
# (Debian package dataset-fashion-mnist) and, for the dashboard's browser test, Chromium and its
# chromedriver. Safe to run again; quiet when everything is there.
set -euo pipefail

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
ls /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte* >/dev/null 2>&1 || need_apt+=(dataset-fashion-mnist)
# optional: without them the dashboard's browser test skips with a message
want_apt=()
[ -x /usr/bin/chromium ] || want_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || want_apt+=(chromium-driver)

if [ ${#need_apt[@]} -eq 0 ] && [ ${#want_apt[@]} -eq 0 ]; then
  exit 0
fi

echo "selfstream setup: installing ${need_apt[*]} ${want_apt[*]} ..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "selfstream setup: need root (or sudo) to run: apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  if [ ${#need_apt[@]} -eq 0 ]; then
    echo "selfstream setup: no apt-get here; ${want_apt[*]} missing: the browser test will skip" >&2
    exit 0
  fi
  echo "selfstream setup: no apt-get here; install ${need_apt[*]} by hand (Fashion-MNIST IDX files go to /usr/share/datasets/fashion-mnist)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
if [ ${#need_apt[@]} -gt 0 ] && ! $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null; then
  echo "selfstream setup: 'apt-get install ${need_apt[*]}' failed; install them by hand and retry" >&2
  exit 1
fi
if [ ${#want_apt[@]} -gt 0 ] && ! $SUDO apt-get install -y -qq "${want_apt[@]}" >/dev/null; then
  echo "selfstream setup: could not install ${want_apt[*]}: the dashboard browser test will skip" >&2
fi
echo "selfstream setup: done" >&2
