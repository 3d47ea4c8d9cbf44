#!/bin/sh
# The user unit (systemd/pigeond.service.in), as installed but pointing at
# the pigeond just built, passes systemd-analyze verify without a word, and
# keeps the reload and the sandbox the issue asks for. Exits 77 only where
# systemd-analyze cannot run at all.
set -eu
: "${PIGEOND:?PIGEOND must point at the pigeond binary}"
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze (package systemd)"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pigeon-unit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home" "$WORK/run"
chmod 700 "$WORK/run"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Offline: no user manager needs to run; --man=no: the pages are not installed.
analyze() {
    HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/run" systemd-analyze --user --man=no "$@"
}

# A unit that must pass tells whether systemd-analyze can work here at all.
printf '[Service]\nExecStart=/bin/true\n' >"$WORK/probe.service"
analyze verify "$WORK/probe.service" >"$WORK/probe.out" 2>&1 ||
    { echo "systemd-analyze cannot run here: $(cat "$WORK/probe.out")"; exit 77; }

unit="$WORK/pigeond.service"
sed "s|@bindir@|$(dirname "$PIGEOND")|" "$(dirname "$0")/../../systemd/pigeond.service.in" >"$unit"
# verify exits 0 even for unknown keys and bad values: its output must be empty.
analyze verify "$unit" >"$WORK/verify.out" 2>&1 || fail "verify failed: $(cat "$WORK/verify.out")"
[ ! -s "$WORK/verify.out" ] || fail "verify complained: $(cat "$WORK/verify.out")"

for line in 'ExecReload=/bin/kill -HUP $MAINPID' NoNewPrivileges=yes ProtectSystem=strict \
    PrivateTmp=yes 'ReadWritePaths=%h/.local/share/pigeon' ConfigurationDirectory=pigeon \
    RuntimeDirectory=pigeon 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK'; do
    grep -qxF "$line" "$unit" || fail "the unit lacks '$line'"
done
# Told, not judged: user units score high whatever they do.
analyze security --offline=true "$unit" 2>/dev/null | tail -n 1 || true
echo "ok"
