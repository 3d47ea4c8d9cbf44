#!/bin/bash
# Fair storage (issue 12): Mallory, a scripted neighbour, floods Kramer with
# large bodies until he refuses her (resource-constraint, type wait) at his
# byte quota, which holds. Elaine, an honest neighbour, still hands off: her
# message takes the place of Mallory's copy nearest its expiry (the order
# doc/carry-protocol.md gives), and nothing else of Mallory's is lost. Then
# Mallory, still the biggest holder, is refused again and cannot push
# Elaine's copy out.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory
quota=1000000
# Mallory may fill it all herself: the total, not a share, is what is tested.
node_start kramer --carry-quota 1000 --carry-bytes $quota --carry-neighbour-bytes $quota \
    --carry-origin-bytes $quota --carry-neighbour-quota 1000 --carry-origin-quota 1000
# Announces her (without a TLS pin: the script speaks plain), so that her scripted stream is identified.
node_start mallory --carry off --link-tls no
expect kramer "j['carry']['quota']['total'] == {'messages': 1000, 'bytes': $quota}" status
node_ctl kramer status | grep -q "^carry quota:  0 messages, 0 B of 1000 messages" ||
    fail "status does not show the quota: $(node_ctl kramer status)"

target=$(lab_ip kramer)
flood() {
    lab_exec mallory python3 "$(dirname "$0")/carry_peer.py" "$target" mallory@mallory \
        kramer@kramer --body 60000 --batch 3 --count 60 --until-refused "$@"
}
flood --prefix first >"$LAB_DIR/flood1.json" || fail "the flood did not run"
python3 - "$LAB_DIR/flood1.json" "$quota" <<'PY' || fail "the first flood went wrong"
import json, sys
j, quota = json.load(open(sys.argv[1])), int(sys.argv[2])
stored = [i for i in j["items"] if i["status"] == "stored"]
assert j["refusals"] == [{"type": "wait", "condition": "resource-constraint"}], j["refusals"]
assert 10 <= len(stored) <= 17, len(stored)  # 60 KB bodies in 1 MB
per_item = [i for i in j["items"] if i["status"] == "refused"]
assert all(i["condition"] == "resource-constraint" for i in per_item), per_item
print(len(stored), "stored,", len(per_item), "refused one by one, then refused whole")
PY
stored=$(python3 -c 'import json,sys; print(sum(i["status"] == "stored" for i in json.load(open(sys.argv[1]))["items"]))' "$LAB_DIR/flood1.json")
expect kramer "j['carry']['held']['messages'] == $stored" status
expect kramer "$quota - 61000 < j['carry']['held']['bytes'] <= $quota" status
expect kramer "j['carry']['biggest']['neighbour'] == 'mallory@mallory'" status

# Elaine's 40 KB message does not fit beside Mallory's: one of hers goes.
node_start elaine --account elaine@example.org
id=$(node_ctl elaine send jerry@example.org "$(head -c 40000 /dev/zero | tr '\0' e)")
wait_for "elaine's handoff despite mallory" 30 json_true elaine "any(c['carrier'] == 'kramer@kramer' for c in j[0]['carrier_list'])" outbox
expect kramer "any(m['id'] == '$id' for m in j)" carrying
expect kramer "j['carry']['held']['bytes'] <= $quota" status
expect kramer "any(e['event'] == 'evicted' and e['instance'] == 'mallory@mallory' for e in j)" peers --log
node_json kramer "$LAB_DIR/carrying.json" carrying
python3 - "$LAB_DIR/flood1.json" "$LAB_DIR/carrying.json" <<'PY' || fail "eviction order"
import json, sys
flood, carrying = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
stored = sorted((i for i in flood["items"] if i["status"] == "stored"), key=lambda i: i["expires"])
held = {m["id"] for m in carrying}
gone = [i["id"] for i in stored if i["id"] not in held]
assert gone == [stored[0]["id"]], (gone, stored[0])  # the nearest expiry, and only it
print("evicted", gone)
PY

# Mallory again: she holds more than Elaine, so she cannot push her out.
flood --prefix second >"$LAB_DIR/flood2.json" || fail "the second flood did not run"
python3 - "$LAB_DIR/flood2.json" <<'PY' || fail "the second flood went wrong"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["refusals"] == [{"type": "wait", "condition": "resource-constraint"}], j
assert not any(i["status"] == "stored" for i in j["items"]), j["items"]
PY
expect kramer "any(m['id'] == '$id' for m in j)" carrying
expect kramer "j['carry']['held']['bytes'] <= $quota" status
node_ctl kramer status >/dev/null || fail "kramer stopped answering"
echo "ok"
