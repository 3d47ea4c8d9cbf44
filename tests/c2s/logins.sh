#!/bin/bash
# lib/c2s against the lab's Prosody, found through the lab's DNS: 20 logins
# in a row over direct TLS (SRV _xmpps-client), each under 2 s from Start to
# online (DNS, TCP, TLS, SASL, binding, XEP-0198); then over STARTTLS (SRV
# _xmpp-client only) with Prosody held to TLS 1.2, where it offers
# SCRAM-SHA-1-PLUS: the channel binding (tls-unique) must be accepted.
# With LAB_SERVER=ejabberd: 20 logins over direct TLS, then 20 over STARTTLS,
# with ejabberd's own choice of mechanism.
set -euo pipefail
RUN_C2S=${RUN_C2S:?RUN_C2S must name the run-c2s binary}
. "$(dirname "$0")/../lab/lab.sh"
. "$(dirname "$0")/../lab/server.sh"
. "$(dirname "$0")/../lab/ejabberd.sh"
trap lab_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
lab_init
lab_add_host a
lab_add_server
lab_uplink a up
lab_server_user alice secret-alice
wrap=$(lab_resolv_wrapper lab)

fail() {
    echo "FAIL: $*"
    exit 1
}

echo "== 20 logins, direct TLS"
lab_exec a "$wrap" "$RUN_C2S" logins alice@example.org secret-alice 20 2000 "$LAB_CA" |
    tee "$LAB_DIR/direct.out" || fail "a login failed or took longer than 2 s"

if [ "${LAB_SERVER:-prosody}" = ejabberd ]; then
    grep -q "login 20: .*TLSv1.3 (direct TLS), SCRAM-.*, stream management" "$LAB_DIR/direct.out" ||
        fail "not direct TLS 1.3 with SCRAM and stream management"
    echo "== 20 logins, STARTTLS"
    lab_dns_srv starttls
    lab_exec a "$wrap" "$RUN_C2S" logins alice@example.org secret-alice 20 2000 "$LAB_CA" |
        tee "$LAB_DIR/starttls.out" || fail "a STARTTLS login failed or took longer than 2 s"
    grep -q "login 20: .*(STARTTLS), SCRAM-.*, stream management" "$LAB_DIR/starttls.out" ||
        fail "not STARTTLS with SCRAM and stream management"
else
    grep -q "login 20: .*TLSv1.3 (direct TLS), SCRAM-SHA-1, stream management" "$LAB_DIR/direct.out" ||
        fail "not direct TLS 1.3 with stream management"

    echo "== 5 logins, STARTTLS, TLS 1.2, channel binding"
    lab_server_stop
    LAB_PROSODY_TLS=tlsv1_2
    lab_server_cert example.org # rewrites the config with the protocol above
    lab_server_start
    lab_dns_srv starttls
    lab_exec a "$wrap" "$RUN_C2S" logins alice@example.org secret-alice 5 2000 "$LAB_CA" |
        tee "$LAB_DIR/starttls.out" || fail "a STARTTLS login failed or took longer than 2 s"
    grep -q "login 5: .*TLSv1.2 (STARTTLS), SCRAM-SHA-1-PLUS" "$LAB_DIR/starttls.out" ||
        fail "no SCRAM-SHA-1-PLUS over TLS 1.2"
fi

echo "== a wrong password is refused"
if lab_exec a "$wrap" "$RUN_C2S" logins alice@example.org wrong 1 2000 "$LAB_CA" >"$LAB_DIR/wrong.out"; then
    fail "logged in with a wrong password"
fi
grep -q "not-authorized" "$LAB_DIR/wrong.out" || fail "wrong password: $(cat "$LAB_DIR/wrong.out")"
echo ok
