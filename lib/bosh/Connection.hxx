#pragma once
// The HTTP binding itself (XEP-0124, with the XEP-0206 stream restart): one
// BOSH session with a connection manager. Keeps one request waiting at the
// server to receive on, batches outgoing elements into the next request, sends
// requests with consecutive rids, at most `requests` at a time, and hands on
// the elements of each response in rid order. It knows nothing of SASL or
// stanzas.
//
// Servers must take requests in rid order, and some do not cope when a rid
// overtakes the one below it on another connection: ejabberd then holds both
// until the session times out. So a request starts only once every earlier
// one has reached the server: it was answered, an older one came back empty
// because it arrived (hold is 1), or it has been on its way kOrderGap. A
// session whose server holds an older request although a newer one reached it
// has stalled: it ends within seconds (the owner logs in again) instead of
// waiting for the server to give up. A request that broke on its way is resent
// with the same rid a few times with backoff, while the session surely lives;
// one the server took and never answered is not: the session ends. The
// terminating request outlives the session (Farewell).

#include "bosh/Farewell.hxx"
#include "curl/Multi.hxx"
#include "curl/Request.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
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

    // Ends the session, sending payload with the terminating request once the earlier requests
    // have reached the server (see Farewell). Queued and unanswered elements fail with
    // done(false) at once. The handler is not called again. `done`, if given, is called once
    // from the loop when the terminate was answered (the server ended the session) or failed,
    // or at once when there was no open session to end. The request and `done` are dropped if
    // the Connection is destroyed first.
    void Terminate(std::vector<xml::Element> payload = {},
                   std::function<void()> done = {}) noexcept;

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
        std::chrono::steady_clock::time_point first_sent{};
        std::chrono::steady_clock::time_point sent{}; // this attempt
        // Known to have reached the server before kOrderGap passed.
        bool arrived = false;
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
    // Whether every outstanding request has reached the server; if not, Pump runs again when
    // they should have.
    bool EarlierRequestsArrived();
    void PumpAt(boost::asio::steady_timer& timer, std::chrono::steady_clock::time_point when);
    void SendPayload();
    void SendPoll();
    // Ends the session if the oldest request is still unanswered when the newest should long
    // have made the server answer it.
    void WatchForStall();
    void OnResponse(std::uint64_t rid, curl::Response response);
    // What the timing of an answer (empty or not) to the request at `it` tells: a server that
    // does not hold polls, or a newer request that reached it.
    void LearnFromAnswer(std::map<std::uint64_t, Outstanding>::iterator it, bool empty);
    void Retry(std::uint64_t rid, const std::string& why);
    void SendTerminate(std::vector<xml::Element> payload, std::function<void()> done);
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
    boost::asio::steady_timer order_timer_;
    boost::asio::steady_timer stall_timer_;
    std::chrono::steady_clock::time_point last_poll_{};
    // Empty requests that came straight back empty in a row although the server should have
    // held them: from the second on the next one waits a little, so that a confused server
    // cannot make us spin. (One is normal: ejabberd answers with the bare stream header it
    // sends after a restart, before the features.)
    unsigned poll_bounces_ = 0;

    // Terminating requests outlive the sessions they end.
    std::list<std::unique_ptr<Farewell>> farewells_;
};

} // namespace pigeon::bosh
