#!/usr/bin/env bash
# Installs the reference tools `npm run bench` compares mailsift with, on top of the test
# dependencies (which include Dovecot and Pigeonhole's sieve-filter). Safe to run again.
set -euo pipefail
exec "$(dirname "$0")/install-test-deps.sh" imapfilter bogofilter crm114 time
