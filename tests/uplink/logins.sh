#!/bin/bash
# 20 BOSH logins in a row on the lab's server (LAB_SERVER), with lib/bosh as
# pigeond uses it, each ended cleanly before the next: none may take longer
# than 2 s. Prints each login's time and the minimum, median and maximum.
. "$(dirname "$0")/lib.sh"
: "${RUN_LOGINS:?RUN_LOGINS must point at the run-logins binary}"

lab_add_host elaine
account_user elaine
lab_uplink elaine up
lab_exec elaine "$RUN_LOGINS" "$LAB_BOSH_URL" elaine@example.org secret-elaine 20 2000 ||
    fail "20 logins in a row on ${LAB_SERVER:-prosody}, none over 2 s"
# ejabberd's BOSH session process crashes when a rid is sent twice while it
# holds the first (key_exists): that must never happen.
if [ -f "$LAB_DIR/server/error.log" ] && grep -q key_exists "$LAB_DIR/server/error.log"; then
    fail "ejabberd's BOSH session crashed: $(grep -m1 key_exists "$LAB_DIR/server/error.log")"
fi
echo "ok"
