#!/usr/bin/env bash
# Installs the Prometheus tools the rule/config tests and the e2e test need, from Debian's packages:
#   prometheus               -> prometheus, promtool
#   prometheus-alertmanager  -> prometheus-alertmanager (Debian's name for alertmanager), amtool
# Does nothing when every binary is already on PATH. Non-interactive, for CI (run as root or via sudo).
# The services are not started: a policy-rc.d that denies starts is put in place for the install when
# none exists (and removed afterwards); in a container without systemd nothing would start anyway.
set -euo pipefail

need=()
for bin in promtool prometheus; do
  command -v "$bin" >/dev/null 2>&1 || need+=(prometheus)
done
for bin in amtool prometheus-alertmanager; do
  command -v "$bin" >/dev/null 2>&1 || need+=(prometheus-alertmanager)
done

if [ "${#need[@]}" -eq 0 ]; then
  echo "install-prometheus-tools: promtool, prometheus, amtool and prometheus-alertmanager are present"
  exit 0
fi

# Unique package names, in a stable order.
mapfile -t packages < <(printf '%s\n' "${need[@]}" | sort -u)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-prometheus-tools: must run as root (or have sudo) to install: ${packages[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive

created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  # 101 = "action not allowed": invoke-rc.d will not start the daemons the packages ship.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  created_policy="yes"
fi
cleanup() {
  if [ -n "$created_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT

echo "install-prometheus-tools: installing ${packages[*]}"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}"

for bin in promtool prometheus amtool prometheus-alertmanager; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "install-prometheus-tools: $bin still missing after install" >&2
    exit 1
  fi
done
promtool --version 2>&1 | head -n 1
amtool --version 2>&1 | head -n 1
