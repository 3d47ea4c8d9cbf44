#pragma once
// The HTTP binding itself (XEP-0124, with the XEP-0206 stream restart): one
// BOSH session with a connection manager. Keeps one request waiting at the
// server to receive on, batches outgoing elements into the next request, sends
// requests with consecutive rids, at most `requests` at a time, resends a
// broken request with the same rid a few times with backoff, and hands on the
// elements of each response in rid order. It knows nothing of SASL or stanzas.

#include "curl/Multi.hxx"
#include "curl/Request.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pigeon::bosh {

struct BindingOptions {
    // The longest the server may hold a request (it may choose less).
    std::chrono::seconds wait{60};
    // Resends of one broken request before the session is given up.
    unsigned max_retries = 4;
    // Before the first resend; doubles for each further one.
    std::chrono::milliseconds retry_delay{1000};
    std::size_t max_body_bytes = 1 << 20;
    bool use_environment_proxy = true;
};

class Connection {
public:
    // Called from the loop. Either call may destroy the Connection.
    class Handler {
    public:
        // One child element of a response body, in rid order.
        virtual void OnBoshElement(xml::Element element) noexcept = 0;
        // The session is over: the server ended it, or it broke and could not be mended. Not
        // called after Terminate or Abort.
        virtual void OnBoshEnded(const std::string& reason) noexcept = 0;

    protected:
        ~Handler() = default;
    };

    Connection(curl::Multi& multi, Handler& handler, BindingOptions options = {});
    // Aborts the session: pending completions are dropped without being called.
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Creates a session with the connection manager at url for the XMPP host `to`, aborting a
    // previous one. Elements may be sent at once; they go out once the session exists.
    // Throws std::runtime_error if no random bytes are available for the first rid.
    void Open(std::string url, std::string to);

    // Queues element for the next request. done(true) once the request that carried it came
    // back 200 with a valid body, i.e. the server took it; done(false) if the session ends
    // first (it may still have arrived). Throws std::invalid_argument if element cannot be
    // serialized, std::logic_error if no session is open.
    void Send(const xml::Element& element, std::function<void(bool accepted)> done = {});

    // Asks for an XMPP stream restart (XEP-0206), e.g. after SASL success. Elements sent after
    // this go after the restart.
    void Restart();

    // Ends the session, sending payload with the terminating request. Queued elements fail with
    // done(false). The handler is not called again. The request is dropped if the Connection
    // is destroyed before it completes.
    void Terminate(std::vector<xml::Element> payload = {}) noexcept;

    // Forgets the session without telling the server; queued elements fail with done(false).
    void Abort() noexcept;

    bool IsOpen() const noexcept { return state_ == State::Creating || state_ == State::Open; }

private:
    enum class State { Closed, Creating, Open };

    struct Queued {
        std::string xml;
        std::function<void(bool)> done;
    };

    struct Outstanding {
        explicit Outstanding(boost::asio::io_context& io) : retry_timer(io) {}
        std::string body; // resent unchanged with the same rid
        std::vector<std::function<void(bool)>> dones;
        bool carries_payload = false;
        std::chrono::steady_clock::time_point sent{};
        unsigned attempts = 0;
        std::unique_ptr<curl::Request> http;
        boost::asio::steady_timer retry_timer;
    };

    // <body/> with the sid, ready for a rid.
    xml::Element BodyElement() const;
    std::uint64_t SendNew(xml::Element body, std::string payload,
                          std::vector<std::function<void(bool)>> dones, bool carries_payload);
    void StartRequest(std::uint64_t rid, Outstanding& request);
    void SchedulePump();
    void Pump();
    void SendPoll();
    void OnResponse(std::uint64_t rid, curl::Response response);
    void Retry(std::uint64_t rid, const std::string& why);
    bool ReadSessionAttributes(const xml::Element& body);
    void Deliver();
    // Ends the session (handler told when report) and fails what is pending.
    void End(const std::string& reason, bool report) noexcept;

    curl::Multi& multi_;
    boost::asio::io_context& io_;
    Handler& handler_;
    BindingOptions options_;
    // Handler and done callbacks may destroy us; code that calls out checks this afterwards.
    Alive alive_;

    State state_ = State::Closed;
    std::uint64_t generation_ = 0; // bumped per session, so stale timers know
    std::string url_;
    std::string to_;
    std::string sid_;
    std::uint64_t next_rid_ = 0;      // for the next new request
    std::uint64_t next_delivery_ = 0; // the rid whose response is handed on next
    unsigned requests_ = 1;
    unsigned hold_ = 1;
    std::chrono::seconds wait_{};
    std::chrono::seconds polling_{};
    std::chrono::seconds inactivity_{};

    std::map<std::uint64_t, Outstanding> outstanding_;
    std::map<std::uint64_t, xml::Element> arrived_; // waiting for earlier rids
    std::deque<Queued> queue_;
    bool restart_wanted_ = false;
    bool pump_posted_ = false;
    boost::asio::steady_timer poll_timer_;
    std::chrono::steady_clock::time_point last_poll_{};
    // The last empty request came straight back empty although the server should have held
    // it: the next one waits a little, so that a confused server cannot make us spin.
    bool poll_bounced_ = false;

    // A terminating request outlives the session it ends.
    std::unique_ptr<curl::Request> terminating_;
};

} // namespace pigeon::bosh
