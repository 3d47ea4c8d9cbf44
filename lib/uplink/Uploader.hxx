#pragma once
// What goes up to our server: our own queued messages, sent directly, and
// what we carry for others, the origin's forwarded stanza inside a message
// a stock client can read too (asking it for a receipt, which we relay to the
// origin). Each is marked sent or uploaded only once the server accepted the
// request that carried it; what it did not take is offered again on the next
// flush. Our own go only once we have read our archive (a carrier may have
// reported one uploaded or delivered), and one a carrier reported uploaded
// waits `custody_wait` for the recipient's receipt before we send it anyway:
// a carrier that lies cannot make a message vanish.
// Carried copies go up a window at a time (see kUploadWindow), refilled as
// the server takes them; `drained` is called (from the loop) once none is
// left in flight, so that what waits behind them (custody notices) goes then.

#include "util/Alive.hxx"
#include "util/Time.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class KeyDirectory;
class ServerLink;

class Uploader {
public:
    // All must outlive the Uploader. `only_pigeons`: never send our own
    // messages to the server directly, only through carriers.
    Uploader(boost::asio::io_context& io, store::Store& store, ServerLink& link,
             const KeyDirectory& keys, bool only_pigeons, UnixMs custody_wait,
             std::function<void()> drained);

    // Sends what we can now; to be called while the link is online.
    void Flush() noexcept;
    // We have read our archive this session: our own may go now.
    void CaughtUp() noexcept;
    // The session ended: nothing is in flight any more.
    void Forget() noexcept;
    // Carried copies are on their way to the server.
    bool Uploading() const noexcept { return !uploading_.empty(); }

    // The origin-id of the message we carried that a stanza id of ours (a
    // recipient's receipt quotes it) names, if it names one.
    static std::optional<std::string> CarriedIdOf(std::string_view stanza_id);
    // The stanza id we upload message `origin_id` as: the inverse of CarriedIdOf.
    static std::string CarriedStanzaId(std::string_view origin_id);

private:
    void SendOwn();
    void UploadCarried();
    // Whether at most half the window is in flight: then it is read again.
    bool HalfWindowFree() const noexcept;
    // Uploads the next carried copies once half the window is free; says
    // when none is left in flight.
    void RefillWhenHalfEmpty();
    // Flushes again when the next carrier report stops holding our own send back.
    void ArmCustodyTimer();

    store::Store& store_;
    ServerLink& link_;
    const KeyDirectory& keys_;
    bool only_pigeons_;
    UnixMs custody_wait_;
    bool caught_up_ = false;
    boost::asio::steady_timer custody_timer_;
    std::function<void()> drained_;
    std::set<std::string> sending_;   // our origin-ids in flight to the server
    std::set<std::string> uploading_; // origin + "\n" + origin-id in flight
    bool refill_posted_ = false;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::uplink
