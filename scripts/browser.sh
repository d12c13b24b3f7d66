#!/usr/bin/env bash
#
# browser.sh - the browser the end-to-end tests drive (tests/e2e, Playwright).
#
#   Chromium       Debian's package, /usr/bin/chromium (Playwright never
#                  downloads a browser of its own: it is told this path)
#   fonts-noto-cjk so Chinese text renders (and is measured) like on a phone
#
# Usage:
#   scripts/browser.sh ensure   install what is missing (apt-get update at most
#                               once, then apt-get install --no-install-recommends);
#                               quick and silent when everything is there
#   scripts/browser.sh path     print the Chromium executable's path
#
# PLAYWRIGHT_CHROMIUM_PATH overrides the executable (then nothing is installed
# for it; it must exist). The tests read the same variable.

set -euo pipefail

readonly DEFAULT_CHROMIUM=/usr/bin/chromium
readonly CHROMIUM="${PLAYWRIGHT_CHROMIUM_PATH:-$DEFAULT_CHROMIUM}"
readonly FONT_PACKAGE=fonts-noto-cjk

APT_UPDATED=0 # apt-get update runs at most once per invocation

log() { printf '[browser] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Run a command with root rights (directly, or through sudo).
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# True if the Debian package is installed (not merely known or half-removed).
deb_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# apt-get install the given packages; apt-get update runs once at most. Like
# services.sh, no package may start a service during the install.
apt_install() {
  local policy=/usr/sbin/policy-rc.d guard=0 rc=0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: $*"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    as_root apt-get update -qq >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
  if [[ ! -e $policy ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
    guard=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >&2 || rc=$?
  if ((guard)); then
    as_root rm -f "$policy"
  fi
  ((rc == 0)) || die "apt-get install $* failed (exit $rc)"
}

cmd_ensure() {
  local -a pkgs=()
  if [[ ! -x $CHROMIUM ]]; then
    if [[ -n ${PLAYWRIGHT_CHROMIUM_PATH:-} && $CHROMIUM != "$DEFAULT_CHROMIUM" ]]; then
      die "PLAYWRIGHT_CHROMIUM_PATH=$CHROMIUM is not an executable"
    fi
    pkgs+=(chromium)
  fi
  if command -v dpkg-query >/dev/null 2>&1; then
    deb_installed "$FONT_PACKAGE" || pkgs+=("$FONT_PACKAGE")
  fi
  if ((${#pkgs[@]})); then
    apt_install "${pkgs[@]}"
  fi
  [[ -x $CHROMIUM ]] || die "$CHROMIUM is still missing after the install"
  # A browser that cannot even start would fail every e2e test with a long trace.
  "$CHROMIUM" --version >/dev/null 2>&1 || die "$CHROMIUM does not start ($CHROMIUM --version failed)"
}

usage() {
  sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2
}

main() {
  case "${1:-}" in
    ensure) cmd_ensure ;;
    path) echo "$CHROMIUM" ;;
    -h | --help | help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
