#!/bin/bash
# XEP-0156: a node with an account but no bosh-url finds the BOSH endpoint in
# the server's host-meta document, logs in and delivers; a host-meta without
# a BOSH link leaves it offline and says why; a redirect is followed; a
# discovered URL is remembered across a restart without signal. The lab has
# no DNS and no TLS, so the host-meta is served over plain http from the
# server's namespace.
. "$(dirname "$0")/lib.sh"

for h in elaine jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town

site="$LAB_DIR/host-meta-site"
mkdir -p "$site/good/.well-known" "$site/broken/.well-known"
cat >"$site/good/.well-known/host-meta" <<XRD
<?xml version='1.0' encoding='utf-8'?>
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
  <Link rel="urn:xmpp:alt-connections:websocket" href="ws://169.254.100.1:5280/xmpp-websocket"/>
  <Link rel="urn:xmpp:alt-connections:xbosh" href="$LAB_BOSH_URL"/>
</XRD>
XRD
cat >"$site/broken/.well-known/host-meta" <<'XRD'
<?xml version='1.0' encoding='utf-8'?>
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
  <Link rel="urn:xmpp:alt-connections:websocket" href="ws://169.254.100.1:5280/xmpp-websocket"/>
</XRD>
XRD
# A web server for the site, which also sends /moved/... on to /good/...,
# as domains that keep .well-known on another host do.
cat >"$LAB_DIR/host-meta-site.py" <<'PY'
import functools, http.server, sys
class Site(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", "/good/" + self.path[len("/moved/"):])
            self.end_headers()
            return
        super().do_GET()
handler = functools.partial(Site, directory=sys.argv[1])
http.server.ThreadingHTTPServer(("169.254.100.1", 8156), handler).serve_forever()
PY
lab_spawn server "$LAB_DIR/host-meta-site.log" python3 "$LAB_DIR/host-meta-site.py" "$site" >/dev/null

account_user elaine
elaine_args=(--account elaine@example.org --password-file "$LAB_DIR/node-elaine/password"
             --probe-interval-max 5)
node_start elaine "${elaine_args[@]}" \
    --host-meta-url http://169.254.100.1:8156/broken/.well-known/host-meta
expect elaine "j['connectivity']['session'] == 'discovering' and j['bosh_url'] == ''" account
lab_uplink elaine up
wait_for "elaine read the broken host-meta" 30 json_true elaine \
    "'names no BOSH URL' in (j['connectivity']['last_probe'] or {}).get('result', '')" status
expect elaine "j['connectivity']['state'] == 'offline' and j['connectivity']['session'] == 'discovering'" status
node_ctl elaine status | grep -q "not yet discovered" || fail "status does not say the URL is missing"
grep -q "names no BOSH URL" "$LAB_DIR/node-elaine/pigeond.log" || fail "the log does not say why"
node_ctl elaine send jerry@example.org "through discovery" >/dev/null
sleep 2
expect elaine "j[0]['state'] == 'queued'" outbox
node_kill elaine

node_start elaine "${elaine_args[@]}" \
    --host-meta-url http://169.254.100.1:8156/moved/.well-known/host-meta
wait_for "elaine logs in through the discovered URL" 30 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
expect elaine "j['bosh_url'] == '$LAB_BOSH_URL' and j['bosh_url_source'] == 'discovered'" account
node_ctl elaine account | grep -q "(discovered from http://169.254.100.1:8156/" ||
    fail "pigeonctl account does not say the URL was discovered"
wait_for "the queued message reaches jerry" 30 inbox_has jerry "through discovery"

# Without signal, a restart still knows where the server is.
lab_uplink elaine down
node_kill elaine
node_start elaine "${elaine_args[@]}" \
    --host-meta-url http://169.254.100.1:8156/moved/.well-known/host-meta
expect elaine "j['bosh_url'] == '$LAB_BOSH_URL' and j['bosh_url_source'] == 'discovered'" account
node_ctl elaine send jerry@example.org "remembered" >/dev/null
lab_uplink elaine up
wait_for "elaine logs in again" 30 json_true elaine "j['connectivity']['session'] == 'online'" status
wait_for "the second message reaches jerry" 30 inbox_has jerry "remembered"
echo "ok"
