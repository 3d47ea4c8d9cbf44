#pragma once
// Our roster on the server: fetched at login and again on each push (RFC
// 6121), cached in the store for offline use; contacts added while offline
// go up once online, with a subscription request. Whoever asks to see our
// presence may: we are a messaging agent.

#include "xml/Element.hxx"

#include <functional>
#include <string>

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class ServerLink;

class Roster {
public:
    // Both must outlive the Roster.
    Roster(store::Store& store, ServerLink& link) noexcept;

    // Asks for the whole roster; `then` runs once the server answered (or the
    // session ended), before the answer is read. Throws std::invalid_argument
    // (serialisation).
    void Fetch(std::function<void()> then = {});
    // Whether `iq` is a roster push (an <iq type='set'> with a roster query).
    static bool IsPush(const xml::Element& iq);
    // Acknowledges a push from our own account and fetches the roster again.
    void OnPush(const xml::Element& iq);
    // A <presence type='subscribe'/>: granted.
    void OnSubscribe(const xml::Element& presence);
    // Adds (or renames) a contact in the store at once, and on the server's
    // roster now if online. Throws std::system_error (store).
    void Add(const std::string& bare_jid, const std::string& name);

private:
    void Push(const std::string& bare_jid, const std::string& name);

    store::Store& store_;
    ServerLink& link_;
};

} // namespace pigeon::uplink
