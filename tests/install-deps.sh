#!/usr/bin/env bash
# Installs the Debian packages signalnode needs, only those missing.
# Used by tests/run.sh and node/demo.sh; safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config python3 openssl procps
  libssl-dev libsodium-dev libsqlite3-dev
  libboost1.81-dev libboost-json1.81-dev   # Beast, Asio and Boost.JSON (1.74 lacks JSON)
  libcereal-dev libutf8proc-dev libcli11-dev libspdlog-dev libtomlplusplus-dev
  libcurl4-openssl-dev                      # notification mail and webhooks (node/notify)
  libcbor-dev                               # CBOR from passkeys (node/auth/cbor_value.cpp)
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-aiosmtpd                          # the SMTP sink of the notification transport tests
  dpkg-dev curl strace python3-yaml         # the Debian package: cpack's dpkg-shlibdeps, tests/package
)
# The sanitizer and fuzz builds need clang with its runtimes.
if [ "${SN_WITH_CLANG:-0}" = 1 ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The browser tests: Debian's chromium, and node with npm for playwright-core.
# node and npm count as present whichever way they came (Debian's nodejs, or
# NodeSource's, which bundles npm and conflicts with Debian's npm package).
if [ "${SN_WITH_E2E:-0}" = 1 ]; then
  dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed" || missing+=(chromium)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
