#!/usr/bin/env bash
# Installs everything pop3spec needs to build and test on Debian 12, by package name.
# Idempotent: packages already present are skipped quickly by apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev        # Boost.Asio with C++20 coroutines and awaitable operators (1.74 lacks them)
  libssl-dev openssl      # TLS for STLS / implicit TLS; test certificates
  libpugixml-dev          # JUnit XML writer
  nlohmann-json3-dev      # JSON reports and the harness's config file
  libcli11-dev            # command-line parsing for pop3spec and pop3refd
  libidn-dev              # SASLprep (RFC 4013) of SASL PLAIN credentials in pop3refd
  libgtest-dev libgmock-dev googletest
  libxml2-utils           # xmllint validates JUnit output against the schema
  clang libclang-rt-14-dev  # libFuzzer targets and sanitizer runtimes
  python3 curl            # real-client smoke tests (poplib, curl pop3://)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
