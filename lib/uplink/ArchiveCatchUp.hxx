#pragma once
// On every login, what our server archived for us since we last looked
// (XEP-0313, page by page with XEP-0059) goes through the normal receiving
// path before we send anything ourselves. What the server handed to a
// session of ours that had died (a receipt written into the BOSH request of
// a device that lost its signal, a message to a daemon killed meanwhile) is
// not lost, and an origin reads what carriers reported before it decides
// to send a message itself. Where we got to is kept in the store: each
// archived message is read about once (and again at worst, harmlessly: the
// inbox keeps one copy, a second receipt changes nothing).

#include "util/Alive.hxx"
#include "util/Time.hxx"
#include "xml/Element.hxx"

#include <functional>
#include <optional>
#include <string>

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class ServerLink;

class ArchiveCatchUp {
public:
    // A message our server archived for us at `archived`, from somebody else.
    // May throw: the page is then read again at the next login.
    using Deliver = std::function<void(const xml::Element& message, UnixMs archived)>;

    // All must outlive the catch-up.
    ArchiveCatchUp(store::Store& store, ServerLink& link, Deliver deliver) noexcept;

    // Logged in: reads the archive from where we got to (on a first login,
    // from a day ago). `done` runs once, when we are caught up or have given
    // up (the server keeps no archive, or does not answer).
    void Start(std::function<void()> done);
    // The session ended: what is in flight no longer counts.
    void Stop() noexcept;
    bool CaughtUp() const noexcept { return caught_up_; }

    // A message from the server: true if it is a result of our query (it was
    // handled here; nothing else should take it).
    bool Take(const xml::Element& message) noexcept;
    // A live message we took: once we are caught up, the archive id our server
    // gave it (XEP-0359 <stanza-id/> by our account) is where we got to.
    // Throws std::system_error (store).
    void Seen(const xml::Element& message);

private:
    // Asks for the page after `after`, or from `start` when there is no such id.
    void Query(const std::string& after, UnixMs start);
    void OnPage(const std::optional<xml::Element>& reply);
    void Finish() noexcept;

    store::Store& store_;
    ServerLink& link_;
    Deliver deliver_;
    std::function<void()> done_;
    std::string query_id_;     // the query in flight, empty if none
    bool page_failed_ = false; // a result of this page could not be taken
    bool restarted_ = false;   // the id we kept was unknown: read from a day ago instead
    bool caught_up_ = false;
    unsigned next_query_ = 0;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::uplink
