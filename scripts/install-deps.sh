#!/usr/bin/env bash
# Installs what ticketbridge needs to build, test and benchmark, from Debian 12 packages only.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev libssl-dev nlohmann-json3-dev libspdlog-dev doctest-dev
  libyaml-cpp-dev libsqlite3-dev libcli11-dev libpq-dev libhowardhinnant-date-dev tzdata
  sqlite3 openssl ca-certificates
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  ((EUID == 0)) || sudo_cmd=(sudo)
  echo "install-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
