#include "c2s/Session.hxx"

#include "util/CallOut.hxx"
#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Negotiation.hxx"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace pigeon::c2s {
namespace {

constexpr std::string_view kLog = "c2s";
using Clock = std::chrono::steady_clock;
// A resumption tried this close to the end of the server's window would race it.
constexpr std::chrono::seconds kResumeMargin{5};

} // namespace

Session::Session(boost::asio::io_context& io, Account account, Listener& listener,
                 SessionOptions options)
    : io_(io), account_(std::move(account)), listener_(listener), options_(std::move(options)),
      iqs_(io, account_.jid, options_.iq_timeout),
      liveness_(io, options_.keepalive, options_.ack_timeout,
                {[this] { return stream_ ? stream_->LastReceived() : Liveness::Clock::now(); },
                 [this](bool keepalive) { Ask(keepalive); },
                 [this](const std::string& why) { Broken(why); }})
{
    const auto jid = xmpp::Jid::TryParse(account_.jid);
    if (!jid || !jid->IsBare() || (options_.authenticate && jid->Local().empty()))
        throw std::invalid_argument("account JID must be a bare JID, user@domain: '" +
                                    account_.jid + "'");
    domain_ = jid->Domain();
    local_ = jid->Local();
}

Session::~Session() = default;

void Session::Start()
{
    if (state_ != State::Offline) {
        const auto alive = alive_.Watch();
        Stop();
        if (alive.Gone())
            return;
    }
    if (!CanResume()) {
        // What the last stream did not get acknowledged goes out again, first, in a new one.
        auto unacked = sm_.TakeUnacked();
        waiting_.insert(waiting_.begin(), std::make_move_iterator(unacked.begin()),
                        std::make_move_iterator(unacked.end()));
    }
    closing_.reset();
    state_ = State::Connecting;
    log::Info(kLog, "connecting to the server of " + domain_ + " as " + account_.jid);
    connector_ = std::make_unique<Connector>(
        io_, ConnectOptions{domain_, options_.tls, options_.connect_timeout},
        [this](Connector::Outcome outcome) { OnConnected(std::move(outcome)); });
}

void Session::OnConnected(Connector::Outcome outcome)
{
    // Not destroyed here: we are inside its resolver's callback.
    boost::asio::post(io_, [connector = std::move(connector_)] {});
    if (!outcome.socket) {
        if (outcome.tls_refused)
            Fail(outcome.error, Failure::Tls);
        else
            Broken(outcome.error);
        return;
    }
    log::Info(kLog,
              "connected to " + outcome.target.host + ":" + std::to_string(outcome.target.port));
    XmlStream::Handler& handler = *this; // a private base: convert here
    stream_ = std::make_unique<XmlStream>(std::move(outcome.socket), handler, options_.limits);
    login_ = std::make_unique<Login>(
        *stream_,
        Login::Settings{domain_, sasl::Credentials{local_, account_.password}, options_.tls,
                        options_.mechanism, options_.authenticate},
        Login::Hooks{[this](const xml::Element& features) { OnLoggedIn(features); },
                     [this](const std::string& reason, Failure f) { Fail(reason, f); },
                     [this](const std::string& reason) { Broken(reason); }});
    state_ = State::LoggingIn;
    stream_->Open(domain_);
}

void Session::OnStreamHeader(const xml::StreamHeader& header) noexcept
{
    if (header.Version() != "1.0")
        log::Debug(kLog, "the server's stream has version '" + std::string(header.Version()) + "'");
}

void Session::OnStreamElement(xml::Element element) noexcept
{
    try {
        Handle(std::move(element));
    } catch (const std::exception& e) {
        Fail(std::string("cannot handle what the server sent: ") + e.what(), Failure::Transient);
    }
}

void Session::OnStreamEnd(const std::string& reason) noexcept
{
    Broken(reason);
}

void Session::Handle(xml::Element element)
{
    const std::string& ns = element.ns;
    if (state_ == State::LoggingIn && login_->Take(element))
        return;
    if (ns == xmpp::ns::kStreams && element.name == "error") {
        Fail("stream error: " + xmpp::Condition(element, xmpp::ns::kStreamErrors),
             Failure::Transient);
    } else if (ns == xmpp::ns::kStreamManagement) {
        OnStreamManagement(element);
    } else if (ns == xmpp::ns::kClient) {
        OnStanza(std::move(element));
    } else {
        log::Debug(kLog, "ignoring <" + element.name + " xmlns='" + ns + "'/>");
    }
}

void Session::OnLoggedIn(const xml::Element& features)
{
    description_ = login_->Description();
    if (!options_.authenticate) {
        GoOnline();
        return;
    }
    server_offers_sm_ = features.Child("sm", xmpp::ns::kStreamManagement) != nullptr;
    needs_session_ = xmpp::NeedsSession(features);
    if (server_offers_sm_ && CanResume())
        Resume();
    else
        Bind();
}

void Session::OnStreamManagement(const xml::Element& element)
{
    const std::string& name = element.name;
    if (name == "r") {
        xml::Element a = StreamManagement::Element("a");
        a.SetAttr("h", std::to_string(sm_.Inbound()));
        stream_->Send(a);
    } else if (name == "a" && state_ == State::Online) {
        Acknowledge(StreamManagement::ParseH(element));
    } else if (name == "resumed" && state_ == State::Resuming) {
        OnResumed(element);
    } else if (name == "enabled" && state_ == State::Enabling) {
        std::optional<std::chrono::seconds> max;
        if (const std::string m{element.Attr("max")}; !m.empty())
            max = std::chrono::seconds(std::stoul(m));
        const bool resumable = element.Attr("resume") == "true" || element.Attr("resume") == "1";
        sm_.Enabled(resumable ? std::string(element.Attr("id")) : std::string(), max);
        description_ += resumable ? ", stream management (resumable)" : ", stream management";
        GoOnline();
    } else if (name == "failed" && state_ == State::Resuming) {
        // The server forgot the stream: a new one, and what it had not acknowledged again.
        log::Info(kLog, "the server cannot resume the stream: starting a new one");
        auto unacked = sm_.TakeUnacked();
        waiting_.insert(waiting_.begin(), std::make_move_iterator(unacked.begin()),
                        std::make_move_iterator(unacked.end()));
        Bind();
    } else if (name == "failed" && state_ == State::Enabling) {
        log::Info(kLog, "the server refused stream management: acknowledging by ping");
        GoOnline();
    }
}

void Session::Resume()
{
    state_ = State::Resuming;
    xml::Element resume = StreamManagement::Element("resume");
    resume.SetAttr("h", std::to_string(sm_.Inbound()));
    resume.SetAttr("previd", sm_.Id());
    stream_->Send(resume);
}

void Session::OnResumed(const xml::Element& resumed)
{
    log::Info(kLog, "resumed the stream; " + std::to_string(sm_.Pending()) +
                        " stanzas were unacknowledged");
    state_ = State::Online;
    full_jid_ = bound_jid_;
    description_ += ", resumed";
    const auto alive = alive_.Watch();
    Acknowledge(StreamManagement::ParseH(resumed));
    if (alive.Gone() || state_ != State::Online)
        return;
    // Still unacknowledged: the server never got them. Same stanzas, counted again.
    for (const auto& stanza : sm_.Resend())
        stream_->Send(stanza);
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& item : waiting)
        Transmit(std::move(item.stanza), std::move(item.done));
    RequestAck();
    liveness_.Watch();
    listener_.OnOnline(full_jid_);
}

void Session::Bind()
{
    state_ = State::Binding;
    auto on_bound = [this](std::optional<xml::Element> reply) {
        if (state_ != State::Binding)
            return;
        const auto jid = reply ? xmpp::BoundJid(*reply) : std::nullopt;
        if (!jid) {
            Fail(xmpp::IqFailure("resource binding", reply), Failure::Transient);
            return;
        }
        full_jid_ = bound_jid_ = *jid;
        if (!needs_session_) {
            EnableStreamManagement();
            return;
        }
        // RFC 3921 session establishment, only where the server still requires it.
        auto iq = xmpp::SessionIq(iqs_.NewId());
        iqs_.Track(iq, [this](std::optional<xml::Element> reply) {
            if (state_ != State::Binding)
                return;
            if (!reply || reply->Attr("type") != "result")
                Fail(xmpp::IqFailure("session establishment", reply), Failure::Transient);
            else
                EnableStreamManagement();
        });
        stream_->Send(iq);
    };
    auto iq = xmpp::BindIq(iqs_.NewId(), account_.resource);
    iqs_.Track(iq, std::move(on_bound));
    stream_->Send(iq);
}

void Session::EnableStreamManagement()
{
    sm_.Reset();
    if (!server_offers_sm_) {
        GoOnline();
        return;
    }
    state_ = State::Enabling;
    xml::Element enable = StreamManagement::Element("enable");
    enable.SetAttr("resume", "true");
    stream_->Send(enable);
}

void Session::GoOnline()
{
    state_ = State::Online;
    const std::string& who = options_.authenticate ? full_jid_ : domain_;
    log::Info(kLog, "online as " + who + " (" + description_ + ")");
    if (options_.authenticate)
        Transmit(xmpp::InitialPresence(options_.presence_extension), {});
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& item : waiting)
        Transmit(std::move(item.stanza), std::move(item.done));
    liveness_.Watch();
    listener_.OnOnline(who);
}

void Session::OnStanza(xml::Element stanza)
{
    if (sm_.Active())
        sm_.Received();
    if (iqs_.Take(stanza, full_jid_))
        return;
    if (state_ == State::Online)
        listener_.OnStanza(stanza);
    else
        log::Debug(kLog, "dropping a <" + stanza.name + "/> that came before we were online");
}

void Session::Send(xml::Element stanza, std::function<void(bool)> done)
{
    if (stanza.ns.empty())
        stanza.ns = xmpp::ns::kClient;
    (void)xml::Serialize(stanza); // throws for what could never be sent
    if (state_ == State::Online) {
        Transmit(std::move(stanza), std::move(done));
    } else if (state_ == State::Offline && !sm_.Resumable()) {
        if (done)
            boost::asio::post(io_, [done = std::move(done)] { CallOut(kLog, done, false); });
    } else {
        waiting_.push_back({std::move(stanza), std::move(done)});
    }
}

void Session::SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply)
{
    iqs_.Prepare(iq);
    const std::string id{iq.Attr("id")};
    iqs_.Track(iq, std::move(reply));
    const auto alive = alive_.Watch();
    Send(std::move(iq), [this, id, alive](bool accepted) {
        if (!accepted && !alive.Gone())
            iqs_.Abandon(id);
    });
}

void Session::Transmit(xml::Element stanza, std::function<void(bool)> done)
{
    stream_->Send(stanza);
    if (!options_.authenticate) {
        // No acknowledgements before authentication; the reply is the registration's answer.
        if (done)
            boost::asio::post(io_, [done = std::move(done)] { CallOut(kLog, done, true); });
        return;
    }
    sm_.Sent(std::move(stanza), std::move(done));
    RequestAck();
}

void Session::RequestAck()
{
    if (ack_posted_)
        return;
    ack_posted_ = true;
    boost::asio::post(io_, [this, alive = alive_.Watch()] {
        if (alive.Gone())
            return;
        ack_posted_ = false;
        Ask(false);
    });
}

void Session::Ask(bool keepalive) noexcept
{
    if (state_ != State::Online || (!keepalive && sm_.Pending() == 0))
        return;
    try {
        if (sm_.Active()) {
            stream_->Send(StreamManagement::Element("r"));
        } else {
            // No XEP-0198: the server answers a ping after everything sent before it.
            const std::uint32_t h = sm_.SentCount();
            const auto ping = xmpp::PingIq(iqs_.NewId(), domain_);
            iqs_.Track(ping, [this, h](std::optional<xml::Element> reply) {
                if (reply && state_ == State::Online)
                    Acknowledge(h);
            });
            stream_->Send(ping);
        }
        liveness_.Asked();
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("cannot ask for an acknowledgement: ") + e.what());
    }
}

void Session::Acknowledge(std::uint32_t h)
{
    std::vector<StreamManagement::Done> dones;
    try {
        dones = sm_.Acknowledged(h);
    } catch (const std::out_of_range& e) {
        Fail(e.what(), Failure::Transient);
        return;
    }
    const auto alive = alive_.Watch();
    for (auto& done : dones) {
        CallOut(kLog, done, true);
        if (alive.Gone())
            return;
    }
}

bool Session::CanResume() const noexcept
{
    return sm_.Resumable() && Clock::now() < broken_at_ + sm_.Window() - kResumeMargin;
}

void Session::Broken(const std::string& reason) noexcept
{
    if (state_ == State::Offline)
        return;
    if (state_ == State::Online)
        broken_at_ = Clock::now(); // the server's resume window starts about now
    log::Warning(kLog,
                 account_.jid + " offline: " + reason + (sm_.Resumable() ? " (resumable)" : ""));
    if (stream_)
        stream_->Abort();
    if (Reset(true))
        listener_.OnOffline(reason, Failure::Transient);
}

void Session::Fail(const std::string& reason, Failure failure) noexcept
{
    if (state_ == State::Offline)
        return;
    log::Warning(kLog, account_.jid + " offline: " + reason);
    if (stream_)
        stream_->Close();
    if (Reset(false))
        listener_.OnOffline(reason, failure);
}

void Session::Stop(std::function<void()> done) noexcept
{
    if (state_ == State::Online && options_.authenticate) {
        try {
            xml::Element presence{"presence", std::string{xmpp::ns::kClient}};
            presence.SetAttr("type", "unavailable");
            stream_->Send(presence);
        } catch (...) {
        }
    }
    if (stream_) {
        stream_->Close(std::move(done));
    } else if (done) {
        try {
            boost::asio::post(io_, std::move(done));
        } catch (...) {
            // Out of memory: the caller's deadline ends the wait.
        }
    }
    Reset(false);
}

void Session::Suspend() noexcept
{
    if (state_ == State::Offline)
        return;
    if (state_ == State::Online)
        broken_at_ = Clock::now();
    log::Info(kLog, account_.jid + " suspended" + (sm_.Resumable() ? " (resumable)" : ""));
    if (stream_)
        stream_->Abort();
    Reset(true);
}

bool Session::Reset(bool keep_pending) noexcept
{
    state_ = State::Offline;
    liveness_.Stop();
    if (connector_)
        boost::asio::post(io_, [connector = std::move(connector_)] {});
    closing_ = std::move(stream_); // a closed stream may still be writing its goodbye
    if (login_)                    // not destroyed here: we may be inside its call
        boost::asio::post(io_, [login = std::move(login_)] {});
    full_jid_.clear();
    std::vector<StreamManagement::Done> dones;
    if (!keep_pending) {
        dones = sm_.TakeDones();
        bound_jid_.clear();
        for (auto& item : waiting_)
            dones.push_back(std::move(item.done));
        waiting_.clear();
    }
    const auto alive = alive_.Watch();
    if (!iqs_.FailAll() || alive.Gone())
        return false;
    for (auto& done : dones) {
        CallOut(kLog, done, false);
        if (alive.Gone())
            return false;
    }
    return state_ == State::Offline;
}

} // namespace pigeon::c2s
