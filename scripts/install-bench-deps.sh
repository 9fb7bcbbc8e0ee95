#!/usr/bin/env bash
# Installs the reference tools `npm run bench` compares mailsift with (on top of the test
# dependencies, which include Dovecot and Pigeonhole's sieve-filter). Safe to run again.
set -euo pipefail
"$(dirname "$0")/install-test-deps.sh"
packages=(imapfilter bogofilter crm114 time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}"
