#!/usr/bin/env bash
# Installs the real servers the interop tests in transport-core/src/test/java/.../core/interop start on their
# own (squid, Dante, nginx, nghttpd, htpasswd), then stops and disables the system services the packages start,
# so nothing holds ports or runs beside the tests' private instances. Idempotent; needs root (or sudo).
# Also creates the system user the Dante username-method tests authenticate as (the tests create it
# themselves when they run as root; this covers a non-root test run).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

PACKAGES=(squid dante-server nginx nghttp2-server apache2-utils)
# nghttp2-server ships only the nghttpd binary: no unit, no init script, no maintainer scripts, so no service.
SERVICES=(squid danted nginx)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "=== Installing ${missing[*]}"
  # Keep the packages' services from starting at install time where policy-rc.d is honoured.
  policy=/usr/sbin/policy-rc.d
  created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    created_policy="yes"
  fi
  remove_policy() {
    if [ -n "$created_policy" ]; then
      $SUDO rm -f "$policy"
    fi
  }
  trap remove_policy EXIT
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
else
  echo "=== ${PACKAGES[*]}: already installed"
fi

# Stop and disable the system instances, whatever started them (systemd, SysV scripts, or nothing).
for service in "${SERVICES[@]}"; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
  else
    if [ -x "/etc/init.d/$service" ]; then
      $SUDO "/etc/init.d/$service" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1; then
      $SUDO update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  fi
done
# Whatever is left of the system instances is found through their own pid files, never by name: test
# instances (with pid files under temporary directories) are left alone.
for pidfile in /run/squid.pid /var/run/squid.pid /run/danted.pid /var/run/danted.pid /run/nginx.pid /var/run/nginx.pid; do
  if [ -s "$pidfile" ]; then
    pid="$(cat "$pidfile")"
    if [ -n "$pid" ] && $SUDO kill -0 "$pid" 2>/dev/null; then
      echo "=== Stopping system server pid $pid ($pidfile)"
      $SUDO kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        $SUDO kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
done

# The user Dante's username method checks (must match DanteFixture.SOCKS_USER / SOCKS_PASSWORD).
SOCKS_USER=pt-interop-socks
SOCKS_PASSWORD=Sx7-interop-Pw
if ! id "$SOCKS_USER" >/dev/null 2>&1; then
  $SUDO useradd --system --no-create-home --shell /usr/sbin/nologin "$SOCKS_USER"
fi
echo "$SOCKS_USER:$SOCKS_PASSWORD" | $SUDO chpasswd

for binary in /usr/sbin/squid /usr/sbin/danted /usr/sbin/nginx /usr/sbin/nghttpd /usr/bin/htpasswd \
  /usr/lib/squid/basic_ncsa_auth; do
  if [ ! -x "$binary" ]; then
    echo "ERROR: $binary missing after installation" >&2
    exit 1
  fi
done
echo "=== Interop test servers ready: $(/usr/sbin/squid -v | head -1); $(/usr/sbin/danted -v 2>&1 | head -1); $(/usr/sbin/nginx -v 2>&1); $(/usr/sbin/nghttpd --version)"
