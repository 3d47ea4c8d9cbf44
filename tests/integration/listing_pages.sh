#!/bin/sh
# Listings come a page at a time: a screenful for people with the way to the
# older rows, pigeond's page for --json with the cursor on each item, and
# --before walks back until nothing is left out.
. "$(dirname "$0")/lib.sh"

start_daemon --link-local no
i=0
while [ $i -lt 25 ]; do
    ctl send jerry@example.org "message $i" >/dev/null
    i=$((i + 1))
done

# People (not a terminal here): 20 rows, then where the other 5 are.
ctl outbox >"$WORK/page1"
[ "$(grep -c 'jerry@example.org' "$WORK/page1")" -eq 20 ] || fail "first page: $(cat "$WORK/page1")"
grep -q "message 24" "$WORK/page1" || fail "the newest message is not on the first page"
grep -q "message 4\$" "$WORK/page1" && fail "an old message is on the first page"
note=$(tail -n 1 "$WORK/page1")
case $note in
    "20 of 25 shown; older ones: pigeonctl outbox --before "*) ;;
    *) fail "no note on the first page: $note" ;;
esac
cursor=${note##* }
ctl outbox --before "$cursor" >"$WORK/page2"
[ "$(grep -c 'jerry@example.org' "$WORK/page2")" -eq 5 ] || fail "second page: $(cat "$WORK/page2")"
grep -q "message 0" "$WORK/page2" || fail "the oldest message is not on the second page"
grep -q "older ones" "$WORK/page2" && fail "the last page says older rows remain"

# Scripts: the array of items, all of them within pigeond's page.
expect_exit 0 ctl outbox --json
json_check "$WORK/stdout" "len(j) == 25 and j[0]['body'] == 'message 0' and all('cursor' in m for m in j)"
[ -s "$WORK/stderr" ] && fail "a whole listing left a note: $(cat "$WORK/stderr")"
expect_exit 0 ctl outbox --json --limit 10
json_check "$WORK/stdout" "len(j) == 10 and j[-1]['body'] == 'message 24'"
grep -q "10 of 25 shown; older ones: pigeonctl outbox --before " "$WORK/stderr" ||
    fail "no note on stderr: $(cat "$WORK/stderr")"
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["cursor"])' "$WORK/stdout")
expect_exit 0 ctl outbox --json --limit 10 --before "$first"
json_check "$WORK/stdout" "len(j) == 10 and j[-1]['body'] == 'message 14'"

# A cursor that no page gave is refused, with what was wrong.
expect_exit 1 ctl outbox --before yesterday
grep -q "before must be a cursor" "$WORK/stderr" || fail "bad cursor: $(cat "$WORK/stderr")"
expect_exit 0 ctl inbox --json
json_check "$WORK/stdout" "j == []"
echo ok
