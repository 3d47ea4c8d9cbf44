#include "bosh/Session.hxx"

#include "crypto/Random.hxx"
#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace pigeon::bosh {
namespace {

constexpr std::string_view kLog = "bosh";

bool StartsWithNoCase(std::string_view text, std::string_view prefix) noexcept
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i])
            return false;
    }
    return true;
}

std::string Hex(std::string_view bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const char b : bytes) {
        out += kDigits[static_cast<unsigned char>(b) >> 4];
        out += kDigits[static_cast<unsigned char>(b) & 15];
    }
    return out;
}

// JIDs compare in their canonical form (lowercased domain...), when they parse.
std::string Canonical(std::string_view jid)
{
    const auto parsed = xmpp::Jid::TryParse(jid);
    return parsed ? parsed->ToString() : std::string{jid};
}

// The name of the first child element in ns other than <text/>, e.g. a stream error or SASL
// failure condition.
std::string Condition(const xml::Element& element, std::string_view ns)
{
    for (const auto& child : element.children)
        if (!child.IsText() && child.ns == ns && child.name != "text")
            return child.name;
    return "undefined-condition";
}

template <typename F, typename... Args> void CallOut(const F& f, Args&&... args) noexcept
{
    if (!f)
        return;
    try {
        f(std::forward<Args>(args)...);
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("completion failed: ") + e.what());
    } catch (...) {
        log::Error(kLog, "completion failed");
    }
}

} // namespace

Session::Session(curl::Multi& multi, Account account, Listener& listener, SessionOptions options)
    : io_(multi.IoContext()), account_(std::move(account)), listener_(listener),
      options_(std::move(options)), connection_(multi, *this, options_.binding)
{
    const auto jid = xmpp::Jid::TryParse(account_.jid);
    if (!jid || !jid->IsBare() || (options_.authenticate && jid->Local().empty()))
        throw std::invalid_argument("account JID must be a bare JID, user@domain: '" +
                                    account_.jid + "'");
    if (!StartsWithNoCase(account_.url, "http://") && !StartsWithNoCase(account_.url, "https://"))
        throw std::invalid_argument("BOSH URL must be http:// or https://: '" + account_.url + "'");
    domain_ = jid->Domain();
    local_ = jid->Local();
    id_prefix_ = Hex(crypto::RandomBytes(4));
}

Session::~Session() = default;

void Session::Start()
{
    const auto alive = alive_.Watch();
    Stop();
    if (alive.Gone())
        return;
    ++generation_;
    state_ = State::Connecting;
    log::Info(kLog, "connecting to " + account_.url + " as " + account_.jid);
    connection_.Open(account_.url, domain_);
}

void Session::Stop(std::function<void()> done) noexcept
{
    if (state_ == State::Offline) {
        connection_.Terminate({}, std::move(done)); // nothing open: done is posted
        return;
    }
    std::vector<xml::Element> payload;
    try {
        if (state_ == State::Online && options_.authenticate) {
            xml::Element presence{"presence", std::string{xmpp::ns::kClient}};
            presence.SetAttr("type", "unavailable");
            payload.push_back(std::move(presence));
        }
    } catch (...) {
        payload.clear();
    }
    const auto alive = alive_.Watch();
    connection_.Terminate(std::move(payload), std::move(done));
    if (!alive.Gone())
        Reset();
}

bool Session::Reset() noexcept
{
    state_ = State::Offline;
    const std::uint64_t generation = ++generation_;
    sasl_.reset();
    full_jid_.clear();
    auto iqs = std::move(iqs_);
    iqs_.clear();
    auto waiting = std::move(waiting_);
    waiting_.clear();

    const auto alive = alive_.Watch();
    for (auto& [id, iq] : iqs) {
        CallOut(iq.reply, std::nullopt);
        if (alive.Gone())
            return false;
    }
    for (auto& item : waiting) {
        CallOut(item.done, false);
        if (alive.Gone())
            return false;
    }
    return generation == generation_;
}

void Session::Send(xml::Element stanza, std::function<void(bool)> done)
{
    if (stanza.ns.empty())
        stanza.ns = xmpp::ns::kClient;
    switch (state_) {
    case State::Online:
        connection_.Send(stanza, std::move(done));
        return;
    case State::Offline:
        (void)xml::Serialize(stanza); // throws for what could never be sent
        if (done)
            boost::asio::post(io_, [done = std::move(done)] { CallOut(done, false); });
        return;
    default:
        (void)xml::Serialize(stanza);
        waiting_.push_back({std::move(stanza), std::move(done)});
        return;
    }
}

void Session::SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply)
{
    const std::string_view type = iq.Attr("type");
    if (iq.name != "iq" || (type != "get" && type != "set"))
        throw std::invalid_argument("SendIq takes an <iq type='get'/> or <iq type='set'/>");
    if (iq.ns.empty())
        iq.ns = xmpp::ns::kClient;
    if (iq.Attr("id").empty())
        iq.SetAttr("id", id_prefix_ + "-" + std::to_string(++next_id_));
    if (iqs_.contains(std::string{iq.Attr("id")}))
        throw std::invalid_argument("an IQ with id '" + std::string{iq.Attr("id")} +
                                    "' is already waiting for its reply");
    if (state_ == State::Offline) {
        (void)xml::Serialize(iq);
        if (reply)
            boost::asio::post(io_, [reply = std::move(reply)] { CallOut(reply, std::nullopt); });
        return;
    }
    SendIqNow(std::move(iq), std::move(reply), false);
}

void Session::SendIqNow(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply,
                        bool negotiating)
{
    std::string id{iq.Attr("id")};
    const auto alive = alive_.Watch();
    const std::uint64_t generation = generation_;
    auto timer = std::make_unique<boost::asio::steady_timer>(io_, options_.iq_timeout);
    timer->async_wait([this, id, alive, generation](const boost::system::error_code& ec) {
        if (ec || alive.Gone() || generation != generation_)
            return;
        log::Info(kLog, "no reply to IQ " + id);
        Complete(id, std::nullopt);
    });
    PendingIq pending{std::move(reply), std::string{iq.Attr("to")}, std::move(timer)};
    auto send_done = [this, id, alive, generation](bool accepted) {
        if (!accepted && !alive.Gone() && generation == generation_)
            Complete(id, std::nullopt);
    };
    // Registered first: Send may fail at once, and a reply may follow in the same response.
    iqs_.emplace(id, std::move(pending));
    try {
        if (negotiating)
            connection_.Send(iq, std::move(send_done));
        else
            Send(std::move(iq), std::move(send_done));
    } catch (...) {
        iqs_.erase(id);
        throw;
    }
}

void Session::Complete(const std::string& id, std::optional<xml::Element> result) noexcept
{
    const auto it = iqs_.find(id);
    if (it == iqs_.end())
        return;
    auto reply = std::move(it->second.reply);
    iqs_.erase(it); // also its timer, whose handler may be what called us
    CallOut(reply, std::move(result));
}

bool Session::IsReply(const xml::Element& stanza, const std::string& expected_from) const
{
    const std::string_view from = stanza.Attr("from");
    const std::string bare = Canonical(account_.jid);
    if (expected_from.empty() || Canonical(expected_from) == bare) {
        // Addressed to our own account: the server answers for it, with or without a from.
        if (from.empty())
            return true;
        const std::string sender = Canonical(from);
        return sender == bare || sender == full_jid_ ||
               (expected_from.empty() && sender == domain_);
    }
    return Canonical(from) == Canonical(expected_from);
}

void Session::OnBoshElement(xml::Element element) noexcept
{
    try {
        if (element.ns == xmpp::ns::kStreams) {
            if (element.name == "features")
                OnFeatures(element);
            else if (element.name == "error")
                Fail("stream error: " + Condition(element, xmpp::ns::kStreamErrors), false);
            return;
        }
        if (element.ns == xmpp::ns::kSasl) {
            OnSasl(element);
            return;
        }
        if (element.name == "iq" && element.ns == xmpp::ns::kClient) {
            const std::string_view type = element.Attr("type");
            if (type == "result" || type == "error") {
                const std::string id{element.Attr("id")};
                const auto it = iqs_.find(id);
                if (it != iqs_.end() && IsReply(element, it->second.to))
                    Complete(id, std::move(element));
                else
                    log::Debug(kLog, "dropping an IQ reply nobody waits for: " + id);
                return;
            }
        }
        if (state_ == State::Online)
            listener_.OnStanza(element);
        else
            log::Debug(kLog, "dropping a <" + element.name + "/> that came before we were online");
    } catch (const std::exception& e) {
        Fail(std::string("cannot handle what the server sent: ") + e.what(), false);
    }
}

void Session::OnBoshEnded(const std::string& reason) noexcept
{
    if (state_ == State::Offline)
        return;
    log::Notice(kLog, account_.jid + " offline: " + reason);
    if (Reset())
        listener_.OnOffline(reason, false);
}

void Session::Fail(const std::string& reason, bool auth_failed) noexcept
{
    if (state_ == State::Offline)
        return;
    log::Warning(kLog, account_.jid + " offline: " + reason);
    const auto alive = alive_.Watch();
    connection_.Terminate();
    if (!alive.Gone() && Reset())
        listener_.OnOffline(reason, auth_failed);
}

void Session::OnFeatures(const xml::Element& features)
{
    if (state_ == State::Restarting) {
        Bind(features);
        return;
    }
    if (state_ != State::Connecting)
        return;
    if (!options_.authenticate) {
        GoOnline();
        return;
    }
    const auto offered = SaslClient::Offered(features);
    const std::string mechanism =
        SaslClient::Choose(offered, options_.mechanism, StartsWithNoCase(account_.url, "https://"));
    if (mechanism.empty()) {
        std::string names;
        for (const auto& name : offered)
            names += (names.empty() ? "" : " ") + name;
        Fail("no acceptable SASL mechanism among those offered (" + names + ")", true);
        return;
    }
    sasl_.emplace(mechanism, local_, account_.password);
    state_ = State::Authenticating;
    log::Debug(kLog, "authenticating " + account_.jid + " with " + mechanism);
    connection_.Send(sasl_->Auth());
}

void Session::OnSasl(const xml::Element& element)
{
    if (state_ != State::Authenticating || !sasl_) {
        Fail("unexpected SASL <" + element.name + "/>", false);
        return;
    }
    try {
        if (element.name == "challenge") {
            connection_.Send(sasl_->Respond(element));
        } else if (element.name == "success") {
            sasl_->Succeed(element);
            sasl_.reset();
            state_ = State::Restarting;
            connection_.Restart();
        } else if (element.name == "failure") {
            std::string reason = "authentication failed: " + Condition(element, xmpp::ns::kSasl);
            if (const std::string text = element.ChildText("text", xmpp::ns::kSasl); !text.empty())
                reason += " (" + text + ")";
            Fail(reason, true);
        }
    } catch (const ScramError& e) {
        Fail(std::string("authentication failed: ") + e.what(), true);
    }
}

void Session::Bind(const xml::Element& features)
{
    if (features.Child("bind", xmpp::ns::kBind) == nullptr) {
        Fail("the server offers no resource binding", false);
        return;
    }
    // RFC 3921 session establishment, only where the server still requires it.
    const xml::Element* session = features.Child("session", xmpp::ns::kSession);
    const bool needs_session =
        session != nullptr && session->Child("optional", xmpp::ns::kSession) == nullptr;
    state_ = State::Binding;

    xml::Element iq{"iq", std::string{xmpp::ns::kClient}};
    iq.SetAttr("type", "set");
    iq.SetAttr("id", id_prefix_ + "-bind");
    xml::Element& bind = iq.AddChild(xml::Element{"bind", std::string{xmpp::ns::kBind}});
    bind.AddChild(xml::Element{"resource", std::string{xmpp::ns::kBind}})
        .AddText(account_.resource);

    const auto on_bound = [this, needs_session](std::optional<xml::Element> reply) {
        if (state_ != State::Binding)
            return; // the session ended meanwhile
        if (!reply || reply->Attr("type") != "result") {
            Fail("resource binding failed: " +
                     (reply ? xmpp::ErrorCondition(*reply) : std::string{"no reply"}),
                 false);
            return;
        }
        const xml::Element* bound = reply->Child("bind", xmpp::ns::kBind);
        const auto jid = xmpp::Jid::TryParse(bound ? bound->ChildText("jid", xmpp::ns::kBind) : "");
        if (!jid || jid->IsBare()) {
            Fail("the server bound no valid full JID", false);
            return;
        }
        full_jid_ = jid->ToString();
        if (!needs_session) {
            SendPresence();
            return;
        }
        xml::Element iq{"iq", std::string{xmpp::ns::kClient}};
        iq.SetAttr("type", "set");
        iq.SetAttr("id", id_prefix_ + "-session");
        iq.AddChild(xml::Element{"session", std::string{xmpp::ns::kSession}});
        SendIqNow(
            std::move(iq),
            [this](std::optional<xml::Element> reply) {
                if (state_ != State::Binding)
                    return;
                if (!reply || reply->Attr("type") != "result") {
                    Fail("session establishment failed: " +
                             (reply ? xmpp::ErrorCondition(*reply) : std::string{"no reply"}),
                         false);
                    return;
                }
                SendPresence();
            },
            true);
    };
    SendIqNow(std::move(iq), on_bound, true);
}

void Session::SendPresence()
{
    xml::Element presence{"presence", std::string{xmpp::ns::kClient}};
    if (options_.presence_extension)
        presence.AddChild(*options_.presence_extension);
    // The server delivers what waited for us (offline messages) once it has this, possibly on
    // a request answered before this one: we are online as soon as it is on its way.
    connection_.Send(presence);
    GoOnline();
}

void Session::GoOnline()
{
    state_ = State::Online;
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& item : waiting)
        connection_.Send(item.stanza, std::move(item.done));
    const std::string& who = options_.authenticate ? full_jid_ : domain_;
    log::Info(kLog, "online as " + who);
    listener_.OnOnline(who);
}

} // namespace pigeon::bosh
