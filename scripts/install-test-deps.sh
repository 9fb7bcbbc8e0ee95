#!/usr/bin/env bash
# Installs the system packages the test suite runs against (real Dovecot/Pigeonhole, swaks,
# systemd for systemd-analyze, which checks docs/systemd/mailsift.service),
# plus any package named on the command line, only those that are missing. Uses sudo when
# not root. Safe to run again.
set -euo pipefail
packages=(dovecot-sieve dovecot-imapd dovecot-pop3d dovecot-lmtpd swaks systemd "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts the system Dovecot on install; the tests start their own instances.
run systemctl disable --now dovecot >/dev/null 2>&1 || true
