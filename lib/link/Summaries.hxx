#pragma once
// Summary vectors on the link (doc/carry-protocol.md, "Summary vectors"):
// once per contact with a pigeon carrier we send what we carry and what we
// know was delivered, and take its list, so that Relay and Tombstones offer
// it only what it lacks. Until its list is in, they wait: at most
// kSummaryDeadline, or until it answers ours with an error (an older peer,
// or a list it refused), and then offer everything as before summaries.
// The origin's Handoff needs none: it offers each message once per carrier.

#include "link/SummaryProtocol.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon {
class EventBus;
} // namespace pigeon
namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class Stream;
struct Neighbour;

inline constexpr std::chrono::seconds kSummaryDeadline{5};

class Summaries {
public:
    // Called from the loop once a contact's exchange is settled (or given
    // up): what waited for it may go. Must not throw.
    using OnSettled = std::function<void(const std::string& instance)>;

    Summaries(boost::asio::io_context& io, store::Store& store, EventBus* events,
              OnSettled settled) noexcept;

    // Sends ours to a pigeon carrier once per contact. Throws what the store throws.
    void Start(const std::string& instance, const Neighbour& neighbour, Stream& stream);
    // Whether Relay and Tombstones may offer `instance` something now.
    bool Settled(const std::string& instance) const noexcept;
    // Its list, if it sent a well-formed one this contact; else nullptr.
    const Summary* Of(const std::string& instance) const noexcept;

    bool Awaits(const std::string& instance, std::string_view iq_id) const noexcept;
    // Its answer to ours: an error settles the exchange without its list.
    void TakeReply(const std::string& instance, const xml::Element& iq);
    // Its summary (FindSummary finds it), answered on `stream`. Throws
    // std::bad_alloc only.
    void Take(Stream& stream, const xml::Element& iq);

    // The contact ended: the next one exchanges again.
    void EndContact(const std::string& instance) noexcept;

private:
    struct Peer {
        bool started = false;
        bool settled = false;
        std::string iq_id; // ours, until answered
        std::chrono::steady_clock::time_point sent{};
        std::optional<Summary> summary;
        std::unique_ptr<boost::asio::steady_timer> deadline;
        unsigned contact = 0; // tells a late timer from this contact's
    };

    Summary Ours();
    void ArmDeadline(const std::string& instance, Peer& peer);
    // The exchange with `instance` is over, `how` says why (for the log).
    void Settle(const std::string& instance, Peer& peer, const std::string& how);

    boost::asio::io_context& io_;
    store::Store& store_;
    EventBus* events_;
    OnSettled settled_;
    std::map<std::string, Peer> peers_; // by instance
    unsigned next_ = 0;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::link
