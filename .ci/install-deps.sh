#!/usr/bin/env bash
# Installs every system package kamc needs to build and test, with apt-get.
# Idempotent: packages already installed are skipped, so a second run is quick
# and needs no network.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build make ccache pkg-config git
  antlr4 libantlr4-runtime-dev
  llvm-19-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libssl-dev zlib1g-dev libzstd-dev libedit-dev libxml2-dev libffi-dev
  # the libFuzzer targets (tests/fuzz): clang and its libFuzzer/ASan/UBSan runtimes
  clang libclang-rt-14-dev
  # the oracle and SIP test peers
  kamailio kamailio-extra-modules kamailio-utils-modules kamailio-mysql-modules
  kamailio-postgres-modules kamailio-sqlite-modules kamailio-presence-modules
  kamailio-tls-modules kamailio-outbound-modules kamailio-json-modules
  kamailio-xml-modules kamailio-websocket-modules kamailio-ims-modules
  kamailio-lua-modules kamailio-python3-modules kamailio-snmpstats-modules
  kamailio-memcached-modules kamailio-redis-modules kamailio-geoip2-modules
  kamailio-radius-modules kamailio-ldap-modules kamailio-perl-modules
  kamailio-cpl-modules kamailio-xmpp-modules kamailio-berkeley-modules
  kamailio-unixodbc-modules kamailio-sctp-modules kamailio-cnxcc-modules
  kamailio-autheph-modules kamailio-phonenum-modules kamailio-systemd-modules
  sip-tester sipsak
  # database servers and client libraries (issue 20): the tests start their own
  # throwaway servers (tests/runtime/integration/dbservers.py), never the system's
  mariadb-server libmariadb-dev postgresql libpq-dev
  # the VS Code extension's screenshot test (headless)
  chromium fonts-dejavu-core
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js/npm for the VS Code extension: keep a node that is already present
# (the Debian npm package conflicts with NodeSource's bundled npm).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
# Keep package maintainer scripts from starting the kamailio daemon: tests and
# the benchmark harness own the SIP ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
trap '[ $created_policy -eq 1 ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# policy-rc.d kept the mariadb and postgresql daemons from starting: the tests
# start their own servers on free ports. Say so if one listens all the same.
for port in 3306 5432; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "install-deps: warning: something listens on 127.0.0.1:$port (a system database server?)" >&2
  fi
done
