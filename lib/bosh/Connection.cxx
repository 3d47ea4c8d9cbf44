#include "bosh/Connection.hxx"

#include "bosh/Body.hxx"
#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <stdexcept>

namespace pigeon::bosh {
namespace {

constexpr std::string_view kLog = "bosh";
// Payload bytes per request; more waits for the next one. Small enough that a server which
// paces requests to kSlowestServerRate (see below) still answers each within seconds.
constexpr std::size_t kMaxBatchBytes = 16 * 1024;
// How much longer than the server's wait we give a held request before calling it broken.
constexpr std::chrono::seconds kWaitSlack{20};
// After this long on its way a request has reached the server: the next may start. Requests
// sent closer together on two connections can reach it in either order (ejabberd, the same
// millisecond). A request answered sooner lets the next one start at once.
constexpr std::chrono::milliseconds kOrderGap{100};
// The server answers an older request at once when a newer one reaches it (hold 1); one still
// unanswered this long after the newer one left has stalled...
constexpr std::chrono::seconds kStallTimeout{4};
// ...plus the time a server that paces what it reads may take over the newer one: ejabberd's
// stock shaper reads 3000 bytes/s once a session's first 20000 are spent.
constexpr std::size_t kSlowestServerRate = 1000; // bytes/s
// An older request answered empty this long before its wait ran out was let go by the server
// because the newer one reached it.
constexpr std::chrono::seconds kWaitMargin{2};
constexpr std::chrono::seconds kTerminateTimeout{10};
// An empty request answered empty sooner than this was not held as it should have been...
constexpr std::chrono::milliseconds kBounceTime{500};
// ...and after the second in a row the next one waits this long.
constexpr std::chrono::seconds kBounceDelay{1};

void Call(const std::function<void(bool)>& done, bool accepted) noexcept
{
    if (!done)
        return;
    try {
        done(accepted);
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("send completion failed: ") + e.what());
    } catch (...) {
        log::Error(kLog, "send completion failed");
    }
}

} // namespace

Connection::Connection(curl::Multi& multi, Handler& handler, BindingOptions options)
    : multi_(multi), io_(multi.IoContext()), handler_(handler), options_(options), poll_timer_(io_),
      order_timer_(io_), stall_timer_(io_)
{
}

Connection::~Connection()
{
    // Nothing may be called back from a destructor.
    for (auto& [rid, request] : outstanding_)
        request.dones.clear();
    for (auto& queued : queue_)
        queued.done = nullptr;
    End("destroyed", false);
}

xml::Element Connection::BodyElement() const
{
    xml::Element body{"body", std::string{xmpp::ns::kHttpBind}};
    if (!sid_.empty())
        body.SetAttr("sid", sid_);
    return body;
}

void Connection::Open(std::string url, std::string to)
{
    if (state_ != State::Closed) {
        const auto alive = alive_.Watch();
        End("replaced by a new session", false);
        if (alive.Gone())
            return;
    }
    ++generation_;
    url_ = std::move(url);
    to_ = std::move(to);
    sid_.clear();
    next_rid_ = RandomRid();
    next_delivery_ = next_rid_;
    requests_ = 1;
    hold_ = 1;
    wait_ = options_.wait;
    polling_ = {};
    inactivity_ = {};
    poll_bounces_ = 0;
    state_ = State::Creating;

    log::Debug(kLog, "creating a session at " + url_);
    SendNew(CreationBody(to_, wait_), {}, {}, true);
}

void Connection::Send(const xml::Element& element, std::function<void(bool)> done)
{
    if (state_ == State::Closed)
        throw std::logic_error("no BOSH session is open");
    queue_.push_back({xml::Serialize(element, xmpp::ns::kHttpBind), std::move(done)});
    SchedulePump();
}

void Connection::Restart()
{
    if (state_ == State::Closed)
        return;
    restart_wanted_ = true;
    SchedulePump();
}

void Connection::Terminate(std::vector<xml::Element> payload, std::function<void()> done) noexcept
{
    try {
        if (state_ == State::Open)
            SendTerminate(std::move(payload), std::move(done));
        else if (done)
            boost::asio::post(io_, std::move(done));
    } catch (...) {
        // Out of memory: the caller waits for its own deadline.
    }
    End("terminated", false);
}

void Connection::SendTerminate(std::vector<xml::Element> payload, std::function<void()> done)
{
    try {
        xml::Element body = BodyElement();
        body.SetAttr("rid", std::to_string(next_rid_++));
        body.SetAttr("type", "terminate");
        std::string text;
        for (const auto& element : payload)
            text += xml::Serialize(element, xmpp::ns::kHttpBind);
        auto request = PostOptions(url_, BodyText(body, text), kTerminateTimeout,
                                   options_.use_environment_proxy, options_.max_body_bytes);
        // Not before the earlier requests arrived; they stay open till then.
        auto not_before = std::chrono::steady_clock::now();
        std::vector<std::unique_ptr<curl::Request>> earlier;
        for (auto& [rid, outstanding] : outstanding_) {
            if (!outstanding.arrived)
                not_before = std::max(not_before, outstanding.sent + kOrderGap);
            if (outstanding.http)
                earlier.push_back(std::move(outstanding.http));
        }
        auto& slot = farewells_.emplace_back();
        const auto it = std::prev(farewells_.end());
        slot = std::make_unique<Farewell>(
            multi_, std::move(request), std::move(earlier), not_before,
            [this, it, done = std::move(done)](bool answered) {
                log::Debug(kLog, answered ? "session terminated" : "terminate not answered");
                farewells_.erase(it); // the Farewell calling us, which allows that
                if (done)
                    done();
            });
    } catch (const std::invalid_argument& e) {
        log::Warning(kLog, std::string("cannot send terminate request: ") + e.what());
        if (done)
            boost::asio::post(io_, std::move(done));
    }
}

void Connection::Abort() noexcept
{
    End("aborted", false);
}

std::uint64_t Connection::SendNew(xml::Element body, std::string payload,
                                  std::vector<std::function<void(bool)>> dones,
                                  bool carries_payload)
{
    const std::uint64_t rid = next_rid_++;
    body.SetAttr("rid", std::to_string(rid));
    Outstanding& request = outstanding_.try_emplace(rid, io_).first->second;
    request.body = BodyText(body, payload);
    request.dones = std::move(dones);
    request.carries_payload = carries_payload;
    request.first_sent = std::chrono::steady_clock::now();
    StartRequest(rid, request);
    return rid;
}

void Connection::StartRequest(std::uint64_t rid, Outstanding& request)
{
    const auto options = PostOptions(url_, request.body, wait_ + kWaitSlack,
                                     options_.use_environment_proxy, options_.max_body_bytes);
    request.sent = std::chrono::steady_clock::now();
    request.arrived = false;
    request.http =
        std::make_unique<curl::Request>(multi_, options, [this, rid](curl::Response response) {
            OnResponse(rid, std::move(response));
        });
    WatchForStall();
}

void Connection::SchedulePump()
{
    if (pump_posted_)
        return;
    pump_posted_ = true;
    boost::asio::post(io_, [this, alive = alive_.Watch()] {
        if (alive.Gone())
            return;
        pump_posted_ = false;
        Pump();
    });
}

void Connection::Pump()
{
    while (state_ == State::Open && outstanding_.size() < requests_) {
        // The server holds the newest request until it has something for us; one that carries
        // payload gets an empty one behind it, so that its answer (and done) is not held up.
        const bool newest_carries =
            !outstanding_.empty() && outstanding_.rbegin()->second.carries_payload;
        const bool payload = restart_wanted_ || !queue_.empty();
        if (!payload && !outstanding_.empty() && !newest_carries)
            return;
        if (!EarlierRequestsArrived())
            return;
        if (!payload) {
            SendPoll();
            return;
        }
        SendPayload();
    }
}

bool Connection::EarlierRequestsArrived()
{
    auto ready = std::chrono::steady_clock::time_point::min();
    for (const auto& [rid, request] : outstanding_)
        if (!request.arrived)
            ready = std::max(ready, request.sent + kOrderGap);
    if (ready <= std::chrono::steady_clock::now())
        return true;
    PumpAt(order_timer_, ready);
    return false;
}

void Connection::PumpAt(boost::asio::steady_timer& timer,
                        std::chrono::steady_clock::time_point when)
{
    timer.expires_at(when);
    timer.async_wait([this, alive = alive_.Watch(),
                      generation = generation_](const boost::system::error_code& ec) {
        if (!ec && !alive.Gone() && generation == generation_)
            Pump();
    });
}

void Connection::SendPayload()
{
    if (restart_wanted_) {
        restart_wanted_ = false;
        SendNew(RestartBody(BodyElement(), to_), {}, {}, true);
        return;
    }
    std::string payload;
    std::vector<std::function<void(bool)>> dones;
    while (!queue_.empty() &&
           (payload.empty() || payload.size() + queue_.front().xml.size() <= kMaxBatchBytes)) {
        payload += queue_.front().xml;
        dones.push_back(std::move(queue_.front().done));
        queue_.pop_front();
    }
    SendNew(BodyElement(), std::move(payload), std::move(dones), true);
}

void Connection::WatchForStall()
{
    if (outstanding_.size() <= hold_)
        return;
    const auto& newest = outstanding_.rbegin()->second;
    const auto pacing = std::chrono::seconds(newest.body.size() / kSlowestServerRate);
    stall_timer_.expires_at(newest.sent + kStallTimeout + pacing);
    stall_timer_.async_wait(
        [this, alive = alive_.Watch(), generation = generation_,
         oldest = outstanding_.begin()->first](const boost::system::error_code& ec) {
            if (ec || alive.Gone() || generation != generation_)
                return;
            if (outstanding_.size() > hold_ && outstanding_.begin()->first == oldest)
                End("the connection manager stalled: request " + std::to_string(oldest) +
                        " unanswered although later ones reached it",
                    true);
        });
}

void Connection::SendPoll()
{
    // XEP-0124 section 12: without hold, empty requests are spaced by polling seconds.
    std::chrono::steady_clock::duration spacing{};
    if (hold_ == 0)
        spacing = std::max<std::chrono::steady_clock::duration>(polling_, kBounceDelay);
    else if (poll_bounces_ >= 2)
        spacing = kBounceDelay;
    const auto now = std::chrono::steady_clock::now();
    if (now < last_poll_ + spacing) {
        PumpAt(poll_timer_, last_poll_ + spacing);
        return;
    }
    last_poll_ = now;
    SendNew(BodyElement(), {}, {}, false);
}

void Connection::OnResponse(std::uint64_t rid, curl::Response response)
{
    const auto it = outstanding_.find(rid);
    if (it == outstanding_.end())
        return;
    if (response.status == 400 || response.status == 403 || response.status == 404) {
        // XEP-0124 section 17: the legacy HTTP forms of bad-request, policy-violation and
        // item-not-found. None is mended by sending the same request again.
        End("connection manager answered HTTP " + std::to_string(response.status), true);
        return;
    }
    if (response.timed_out) {
        // The server has it and keeps it against its own wait: resending that rid could only
        // confuse it further (ejabberd ends the session). A new session will do better.
        End("connection manager did not answer request " + std::to_string(rid) + ": " +
                response.error_message,
            true);
        return;
    }
    if (response.error || response.status != 200) {
        Retry(rid, response.error ? response.error_message
                                  : "HTTP status " + std::to_string(response.status));
        return;
    }

    xml::Element body;
    try {
        body = ParseResponse(response.body, options_.max_body_bytes);
    } catch (const std::exception& e) {
        End(std::string("invalid response from connection manager: ") + e.what(), true);
        return;
    }
    const std::string_view type = body.Attr("type");
    if (type == "error") {
        // A recoverable binding condition of XEP-0124 before version 1.6.
        Retry(rid, "recoverable binding error");
        return;
    }
    if (state_ == State::Creating && type != "terminate" && !ReadSessionAttributes(body))
        return;

    const bool accepted = type != "terminate";
    LearnFromAnswer(it, body.children.empty());
    auto dones = std::move(it->second.dones);
    outstanding_.erase(it); // also the curl::Request now calling us, which allows that
    arrived_.emplace(rid, std::move(body));

    const auto alive = alive_.Watch();
    const std::uint64_t generation = generation_;
    for (const auto& done : dones) {
        Call(done, accepted);
        if (alive.Gone() || generation != generation_)
            return;
    }
    Deliver();
}

void Connection::LearnFromAnswer(std::map<std::uint64_t, Outstanding>::iterator it, bool empty)
{
    const auto held = std::chrono::steady_clock::now() - it->second.sent;
    const bool newest = std::next(it) == outstanding_.end();
    if (!it->second.carries_payload)
        poll_bounces_ = newest && empty && held < kBounceTime ? poll_bounces_ + 1 : 0;
    // Let go early and empty: the next request reached the server.
    if (!newest && empty && held < wait_ - kWaitMargin)
        std::next(it)->second.arrived = true;
}

bool Connection::ReadSessionAttributes(const xml::Element& body)
{
    const auto terms = ReadSessionTerms(body, wait_);
    if (!terms) {
        End("session creation response has no sid", true);
        return false;
    }
    sid_ = terms->sid;
    hold_ = terms->hold;
    requests_ = terms->requests;
    wait_ = terms->wait;
    polling_ = terms->polling;
    inactivity_ = terms->inactivity;
    state_ = State::Open;
    log::Info(kLog, "session " + sid_ + " open at " + url_ + " (requests " +
                        std::to_string(requests_) + ", hold " + std::to_string(hold_) + ", wait " +
                        std::to_string(wait_.count()) + "s)");
    return true;
}

void Connection::Retry(std::uint64_t rid, const std::string& why)
{
    Outstanding& request = outstanding_.at(rid);
    request.http.reset(); // possibly the caller: curl::Request allows that
    if (request.attempts >= options_.max_retries) {
        End("connection manager unreachable: " + why, true);
        return;
    }
    auto delay = options_.retry_delay * (1u << std::min(request.attempts, 16u));
    // The server drops a session left without requests for inactivity seconds: a request it
    // may have taken is resent only while the session surely lives.
    if (inactivity_.count() > 0) {
        delay = std::min<std::chrono::milliseconds>(delay, inactivity_ / 2);
        if (std::chrono::steady_clock::now() + delay >= request.first_sent + inactivity_) {
            End("connection manager unreachable for the session's lifetime: " + why, true);
            return;
        }
    }
    ++request.attempts;
    log::Info(kLog, "request " + std::to_string(rid) + " failed (" + why + "); resending in " +
                        std::to_string(delay.count()) + " ms");
    request.retry_timer.expires_after(delay);
    request.retry_timer.async_wait([this, rid, alive = alive_.Watch(),
                                    generation = generation_](const boost::system::error_code& ec) {
        if (ec || alive.Gone() || generation != generation_)
            return;
        if (const auto it = outstanding_.find(rid); it != outstanding_.end())
            StartRequest(rid, it->second);
    });
}

void Connection::Deliver()
{
    const auto alive = alive_.Watch();
    const std::uint64_t generation = generation_;
    for (auto it = arrived_.find(next_delivery_); it != arrived_.end();
         it = arrived_.find(next_delivery_)) {
        xml::Element body = std::move(it->second);
        arrived_.erase(it);
        ++next_delivery_;
        for (auto& child : body.children) {
            if (child.IsText())
                continue;
            handler_.OnBoshElement(std::move(child));
            if (alive.Gone() || generation != generation_)
                return;
        }
        if (body.Attr("type") == "terminate") {
            const std::string_view condition = body.Attr("condition");
            End(condition.empty() ? std::string{"session terminated by the server"}
                                  : "session terminated by the server: " + std::string{condition},
                true);
            return;
        }
    }
    Pump();
}

void Connection::End(const std::string& reason, bool report) noexcept
{
    if (state_ == State::Closed)
        return;
    state_ = State::Closed;
    ++generation_;
    std::vector<std::function<void(bool)>> dones;
    try {
        for (auto& [rid, request] : outstanding_)
            for (auto& done : request.dones)
                dones.push_back(std::move(done));
        for (auto& queued : queue_)
            dones.push_back(std::move(queued.done));
    } catch (...) {
        // Out of memory: those completions are lost, the session ends all the same.
    }
    outstanding_.clear(); // cancels the requests, possibly the caller's
    arrived_.clear();
    queue_.clear();
    restart_wanted_ = false;
    poll_timer_.cancel();
    order_timer_.cancel();
    stall_timer_.cancel();
    sid_.clear();
    if (report)
        log::Info(kLog, "session ended: " + reason);

    const auto alive = alive_.Watch();
    const std::uint64_t generation = generation_;
    for (const auto& done : dones) {
        Call(done, false);
        if (alive.Gone())
            return;
    }
    if (report && generation == generation_)
        handler_.OnBoshEnded(reason);
}

} // namespace pigeon::bosh
