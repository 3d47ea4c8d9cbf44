#!/bin/bash
# A captive portal answers every HTTP request with its own login page. The
# probe must call that offline, and the daemon must not try to log in;
# pointed at the real BOSH endpoint, the same daemon goes online.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_wait_avahi
cat >"$LAB_DIR/portal.py" <<'PY'
import http.server
class Portal(http.server.BaseHTTPRequestHandler):
    def answer(self):
        page = b"<html><body>Welcome to SubwayNet. Log in to continue.</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)
    do_GET = do_POST = answer
    def log_message(self, *args): pass
http.server.HTTPServer(("169.254.100.1", 8080), Portal).serve_forever()
PY
lab_spawn server "$LAB_DIR/portal.log" python3 "$LAB_DIR/portal.py" >/dev/null
account_node elaine --probe-url http://169.254.100.1:8080/http-bind
lab_uplink elaine up
wait_for "elaine probed the portal" 30 json_true elaine \
    "j['connectivity']['last_probe'] is not None and 'portal' in j['connectivity']['last_probe']['result']" status
expect elaine "j['connectivity']['state'] == 'offline' and j['connectivity']['session'] == 'offline'" status
node_ctl elaine send jerry@example.org "still queued" >/dev/null
sleep 2
expect elaine "j[0]['state'] == 'queued'" outbox

node_kill elaine
node_start elaine --account elaine@example.org --bosh-url "$LAB_BOSH_URL" \
    --password-file "$LAB_DIR/node-elaine/password" --probe-interval-max 5
wait_for "elaine goes online through the real endpoint" 30 json_true elaine \
    "j['connectivity']['state'] == 'online' and j['connectivity']['session'] == 'online'" status
wait_for "the queued message leaves" 30 json_true elaine "j[0]['state'] == 'sent'" outbox
echo "ok"
