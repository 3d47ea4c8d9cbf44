#include "bosh/Connection.hxx"

#include "crypto/Random.hxx"
#include "util/Log.hxx"
#include "xml/Document.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace pigeon::bosh {
namespace {

constexpr std::string_view kLog = "bosh";
constexpr std::string_view kContentType = "text/xml; charset=utf-8";
// Payload bytes per request; more waits for the next one.
constexpr std::size_t kMaxBatchBytes = 64 * 1024;
// How much longer than the server's wait we give a held request before calling it broken.
constexpr std::chrono::seconds kWaitSlack{20};
constexpr std::chrono::seconds kConnectTimeout{15};
// An empty request answered empty sooner than this was not held as it should have been...
constexpr std::chrono::milliseconds kBounceTime{500};
// ...and the next one waits this long.
constexpr std::chrono::seconds kBounceDelay{1};

// XEP-0124 asks for a random first rid with room to count up within 2^53 - 1.
std::uint64_t RandomRid()
{
    const std::string bytes = crypto::RandomBytes(6);
    std::uint64_t rid = 0;
    for (const char b : bytes)
        rid = (rid << 8) | static_cast<unsigned char>(b);
    return rid + 1;
}

std::optional<unsigned> Number(std::string_view text) noexcept
{
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

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

// body with payload (serialized elements) inside it.
std::string BodyText(const xml::Element& body, std::string_view payload)
{
    std::string text = xml::Serialize(body);
    if (!payload.empty() && text.ends_with("/>")) {
        text.resize(text.size() - 2);
        text += '>';
        text += payload;
        text += "</body>";
    }
    return text;
}

} // namespace

Connection::Connection(curl::Multi& multi, Handler& handler, BindingOptions options)
    : multi_(multi), io_(multi.IoContext()), handler_(handler), options_(options), poll_timer_(io_)
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
    state_ = State::Creating;

    xml::Element body = BodyElement();
    body.SetAttr("content", std::string{kContentType});
    body.SetAttr("hold", "1");
    body.SetAttr("to", to_);
    body.SetAttr("ver", "1.11");
    body.SetAttr("wait", std::to_string(wait_.count()));
    body.SetAttr("xml:lang", "en");
    body.SetAttr("xmpp:version", "1.0", std::string{xmpp::ns::kXBosh});
    log::Debug(kLog, "creating a session at " + url_);
    SendNew(std::move(body), {}, {}, true);
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

void Connection::Terminate(std::vector<xml::Element> payload) noexcept
{
    if (state_ == State::Open) {
        try {
            xml::Element body = BodyElement();
            body.SetAttr("rid", std::to_string(next_rid_++));
            body.SetAttr("type", "terminate");
            std::string text;
            for (const auto& element : payload)
                text += xml::Serialize(element, xmpp::ns::kHttpBind);
            curl::RequestOptions request;
            request.url = url_;
            request.method = curl::Method::Post;
            request.body = BodyText(body, text);
            request.content_type = kContentType;
            request.timeout = kWaitSlack;
            request.connect_timeout = kConnectTimeout;
            request.use_environment_proxy = options_.use_environment_proxy;
            request.max_response_bytes = options_.max_body_bytes;
            terminating_ =
                std::make_unique<curl::Request>(multi_, request, [this](curl::Response response) {
                    if (!response.Ok())
                        log::Debug(kLog, "terminate request failed: " + response.error_message);
                    terminating_.reset();
                });
        } catch (const std::exception& e) {
            log::Warning(kLog, std::string("cannot send terminate request: ") + e.what());
        }
    }
    End("terminated", false);
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
    request.sent = std::chrono::steady_clock::now();
    StartRequest(rid, request);
    return rid;
}

void Connection::StartRequest(std::uint64_t rid, Outstanding& request)
{
    curl::RequestOptions options;
    options.url = url_;
    options.method = curl::Method::Post;
    options.body = request.body;
    options.content_type = kContentType;
    options.timeout = wait_ + kWaitSlack;
    options.connect_timeout = kConnectTimeout;
    options.use_environment_proxy = options_.use_environment_proxy;
    options.max_response_bytes = options_.max_body_bytes;
    request.http =
        std::make_unique<curl::Request>(multi_, options, [this, rid](curl::Response response) {
            OnResponse(rid, std::move(response));
        });
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
    if (state_ != State::Open)
        return;
    while (outstanding_.size() < requests_ && (restart_wanted_ || !queue_.empty())) {
        if (restart_wanted_) {
            restart_wanted_ = false;
            xml::Element body = BodyElement();
            body.SetAttr("to", to_);
            body.SetAttr("xml:lang", "en");
            body.SetAttr("xmpp:restart", "true", std::string{xmpp::ns::kXBosh});
            SendNew(std::move(body), {}, {}, true);
            continue;
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
    // The server holds the newest request until it has something for us; one that carries
    // payload gets an empty one behind it, so that its answer (and done) is not held up.
    const bool newest_carries =
        !outstanding_.empty() && outstanding_.rbegin()->second.carries_payload;
    if (outstanding_.empty() || (newest_carries && outstanding_.size() < requests_))
        SendPoll();
}

void Connection::SendPoll()
{
    // XEP-0124 section 12: without hold, empty requests are spaced by polling seconds.
    std::chrono::steady_clock::duration spacing{};
    if (hold_ == 0)
        spacing = std::max<std::chrono::steady_clock::duration>(polling_, kBounceDelay);
    else if (poll_bounced_)
        spacing = kBounceDelay;
    const auto now = std::chrono::steady_clock::now();
    if (now < last_poll_ + spacing) {
        poll_timer_.expires_at(last_poll_ + spacing);
        poll_timer_.async_wait([this, alive = alive_.Watch(),
                                generation = generation_](const boost::system::error_code& ec) {
            if (!ec && !alive.Gone() && generation == generation_)
                Pump();
        });
        return;
    }
    last_poll_ = now;
    poll_bounced_ = false;
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
    if (response.error || response.status != 200) {
        Retry(rid, response.error ? response.error_message
                                  : "HTTP status " + std::to_string(response.status));
        return;
    }

    xml::Element body;
    try {
        xml::StreamLimits limits;
        limits.max_stanza_bytes = options_.max_body_bytes;
        body = xml::ParseDocument(response.body, limits);
    } catch (const std::exception& e) {
        End(std::string("invalid response from connection manager: ") + e.what(), true);
        return;
    }
    if (body.name != "body" || body.ns != xmpp::ns::kHttpBind) {
        End("connection manager answered with something other than a BOSH body", true);
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
    if (!it->second.carries_payload)
        poll_bounced_ = std::next(it) == outstanding_.end() && body.children.empty() &&
                        std::chrono::steady_clock::now() - it->second.sent < kBounceTime;
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

bool Connection::ReadSessionAttributes(const xml::Element& body)
{
    sid_ = body.Attr("sid");
    if (sid_.empty()) {
        End("session creation response has no sid", true);
        return false;
    }
    const auto number = [&body](std::string_view name) { return Number(body.Attr(name)); };
    hold_ = number("hold").value_or(1);
    // We never need more than one request beyond those the server holds, and some servers
    // cope with no more than that.
    requests_ = std::clamp(number("requests").value_or(hold_ + 1), 1u, hold_ + 1);
    if (const auto wait = number("wait"); wait && *wait > 0)
        wait_ = std::min(wait_, std::chrono::seconds(*wait));
    polling_ = std::chrono::seconds(number("polling").value_or(0));
    inactivity_ = std::chrono::seconds(number("inactivity").value_or(0));
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
    // The server drops a session left without requests for inactivity seconds.
    if (inactivity_.count() > 0)
        delay = std::min<std::chrono::milliseconds>(delay, inactivity_ / 2);
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
