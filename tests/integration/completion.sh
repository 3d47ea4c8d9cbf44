#!/bin/sh
# Bash completion asks the running pigeond for what only it knows: contacts'
# JIDs after send and contacts add, message ids after show; with no daemon,
# it offers nothing and returns at once.
. "$(dirname "$0")/lib.sh"
command -v bash >/dev/null || { echo "no bash"; exit 77; }
SCRIPT="$(cd "$(dirname "$0")/../.." && pwd)/completions/pigeonctl.bash"

# complete WORDS...: what completing the last word offers, one a line.
complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pigeonctl
             printf "%s\n" "${COMPREPLY[@]}"' complete "$SCRIPT" "$PIGEONCTL" "$@"
}

[ -z "$(complete_words send "")" ] || fail "offered JIDs with no daemon running"
start_daemon --link-local no
ctl contacts add jerry@example.org Jerry >/dev/null
ctl contacts add george@example.org >/dev/null
id=$(ctl send jerry@example.org "running late")

[ "$(complete_words send "")" = "$(printf 'george@example.org\njerry@example.org')" ] ||
    fail "send offers: $(complete_words send "")"
[ "$(complete_words send je)" = "jerry@example.org" ] || fail "send je offers: $(complete_words send je)"
[ "$(complete_words contacts add g)" = "george@example.org" ] || fail "contacts add g offers the wrong JIDs"
[ "$(complete_words show "")" = "$id" ] || fail "show offers: $(complete_words show "")"
[ "$(complete_words show "${id%%-*}")" = "$id" ] || fail "show with a prefix offers the wrong ids"
[ -z "$(complete_words send jerry@example.org "")" ] || fail "offered a JID for the body"
[ "$(complete_words send --wait = "")" = "$(printf 'carried\nsent\ndelivered')" ] ||
    fail "--wait= offers: $(complete_words send --wait = "")"
[ "$(complete_words send --wait delivered "")" = "$(printf 'george@example.org\njerry@example.org')" ] ||
    fail "after --wait delivered, send offers: $(complete_words send --wait delivered "")"
[ "$(complete_words peers "")" = "forget-pin" ] || fail "peers offers: $(complete_words peers "")"
[ -z "$(complete_words peers forget-pin "")" ] || fail "forget-pin offered instances with none seen"
[ "$(complete_words "")" != "" ] || fail "no commands offered"
echo "ok"
