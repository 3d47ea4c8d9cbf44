#!/usr/bin/python3
# A stock XMPP client (slixmpp, as Debian packages it) for the tests: it logs
# in over plain c2s, sends XEP-0184 receipts for what asks for one, as common
# clients do, and writes one JSON line per event to OUTPUT: {"event": "online"},
# then {"event": "message", "from", "id", "type", "body"} for each message
# with a body. It knows nothing of pigeon. Runs until killed.
#
# usage: stock_client.py JID PASSWORD HOST PORT OUTPUT
import json
import sys

import slixmpp


class StockClient(slixmpp.ClientXMPP):
    def __init__(self, jid, password, output):
        super().__init__(jid, password)
        self.output = output
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0184", {"auto_ack": True, "auto_request": False})
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)

    def write(self, record):
        self.output.write(json.dumps(record) + "\n")
        self.output.flush()

    async def on_start(self, _event):
        self.send_presence()
        await self.get_roster()
        self.write({"event": "online"})

    def on_message(self, message):
        if message["body"]:
            self.write({"event": "message", "from": str(message["from"]), "id": message["id"],
                        "type": message["type"], "body": message["body"]})


def main():
    jid, password, host, port, path = sys.argv[1:6]
    with open(path, "a", encoding="utf-8") as output:
        client = StockClient(jid, password, output)
        # The lab's server has no certificates: no TLS, SCRAM in the clear.
        client.connect((host, int(port)), force_starttls=False, disable_starttls=True)
        client.process(forever=True)


if __name__ == "__main__":
    main()
