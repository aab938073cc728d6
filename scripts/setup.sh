#!/usr/bin/env bash
# Installs everything lvsdeck needs on a fresh machine: the lab's Debian packages (when run as root on
# Debian) and the npm packages (npm ci, which also builds dist/ through the prepare script).
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with LAB_REQUIREMENTS in src/lab/preflight.ts (tmux is for the terminal end-to-end tests;
# nftables and iptables let doctor's tests firewall VRRP inside the lab; prometheus (with promtool) is
# the real Prometheus the exporter tests scrape with; groff-base checks the generated man page).
PKGS="user-mode-linux kmod keepalived ipvsadm openssh-server openssh-client busybox iproute2 util-linux curl sudo socat tmux nftables iptables prometheus groff-base"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages:$missing" >&2
    apt-get update -qq
    # policy-rc.d (where present) keeps the packages' own services from starting on the host
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$missing >/dev/null
  else
    echo "setup: the lab needs these Debian packages (run as root to install them):$missing" >&2
  fi
fi

# On a CPU with AMX, Debian 12's UML kernel cannot boot the lab: install one that can.
bash scripts/uml-amx.sh

# npm ci only when the lock file changed since the last install; always rebuild.
stamp=node_modules/.lvsdeck-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
npm run --silent build
