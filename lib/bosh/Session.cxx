#include "bosh/Session.hxx"

#include "util/CallOut.hxx"
#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Negotiation.hxx"

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

} // namespace

Session::Session(curl::Multi& multi, Account account, Listener& listener, SessionOptions options)
    : io_(multi.IoContext()), account_(std::move(account)), listener_(listener),
      options_(std::move(options)), connection_(multi, *this, options_.binding),
      iqs_(io_, account_.jid, options_.iq_timeout)
{
    const auto jid = xmpp::Jid::TryParse(account_.jid);
    if (!jid || !jid->IsBare() || (options_.authenticate && jid->Local().empty()))
        throw std::invalid_argument("account JID must be a bare JID, user@domain: '" +
                                    account_.jid + "'");
    if (!StartsWithNoCase(account_.url, "http://") && !StartsWithNoCase(account_.url, "https://"))
        throw std::invalid_argument("BOSH URL must be http:// or https://: '" + account_.url + "'");
    domain_ = jid->Domain();
    local_ = jid->Local();
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
    auto waiting = std::move(waiting_);
    waiting_.clear();

    const auto alive = alive_.Watch();
    if (!iqs_.FailAll() || alive.Gone())
        return false;
    for (auto& item : waiting) {
        CallOut(kLog, item.done, false);
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
            boost::asio::post(io_, [done = std::move(done)] { CallOut(kLog, done, false); });
        return;
    default:
        (void)xml::Serialize(stanza);
        waiting_.push_back({std::move(stanza), std::move(done)});
        return;
    }
}

void Session::SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply)
{
    iqs_.Prepare(iq);
    if (state_ == State::Offline) {
        (void)xml::Serialize(iq);
        if (reply)
            boost::asio::post(io_,
                              [reply = std::move(reply)] { CallOut(kLog, reply, std::nullopt); });
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
    auto send_done = [this, id, alive, generation](bool accepted) {
        if (!accepted && !alive.Gone() && generation == generation_)
            iqs_.Abandon(id);
    };
    // Tracked first: Send may fail at once, and a reply may follow in the same response.
    iqs_.Track(iq, std::move(reply));
    try {
        if (negotiating)
            connection_.Send(iq, std::move(send_done));
        else
            Send(std::move(iq), std::move(send_done));
    } catch (...) {
        iqs_.Abandon(id);
        throw;
    }
}

void Session::OnBoshElement(xml::Element element) noexcept
{
    try {
        if (element.ns == xmpp::ns::kStreams) {
            if (element.name == "features")
                OnFeatures(element);
            else if (element.name == "error")
                Fail("stream error: " + xmpp::Condition(element, xmpp::ns::kStreamErrors),
                     Failure::Transient);
            return;
        }
        if (element.ns == xmpp::ns::kSasl) {
            OnSasl(element);
            return;
        }
        if (iqs_.Take(element, full_jid_))
            return;
        if (state_ == State::Online)
            listener_.OnStanza(element);
        else
            log::Debug(kLog, "dropping a <" + element.name + "/> that came before we were online");
    } catch (const std::exception& e) {
        Fail(std::string("cannot handle what the server sent: ") + e.what(), Failure::Transient);
    }
}

void Session::OnBoshEnded(const std::string& reason) noexcept
{
    if (state_ == State::Offline)
        return;
    log::Notice(kLog, account_.jid + " offline: " + reason);
    if (Reset())
        listener_.OnOffline(reason, Failure::Transient);
}

void Session::Fail(const std::string& reason, Failure failure) noexcept
{
    if (state_ == State::Offline)
        return;
    log::Warning(kLog, account_.jid + " offline: " + reason);
    const auto alive = alive_.Watch();
    connection_.Terminate();
    if (!alive.Gone() && Reset())
        listener_.OnOffline(reason, failure);
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
    // No channel binding over BOSH: the HTTP connections under the session come and go.
    const bool https = StartsWithNoCase(account_.url, "https://");
    auto choice = xmpp::SaslExchange::Choose(features, options_.mechanism, {https, https, {}});
    if (choice.mechanism.empty()) {
        std::string names;
        for (const auto& name : xmpp::SaslExchange::Offered(features))
            names += (names.empty() ? "" : " ") + name;
        Fail("no acceptable SASL mechanism among those offered (" + names + ")", Failure::Auth);
        return;
    }
    sasl_.emplace(std::move(choice), sasl::Credentials{local_, account_.password});
    state_ = State::Authenticating;
    log::Debug(kLog, "authenticating " + account_.jid + " with " + sasl_->Mechanism());
    connection_.Send(sasl_->Auth());
}

void Session::OnSasl(const xml::Element& element)
{
    if (state_ != State::Authenticating || !sasl_) {
        Fail("unexpected SASL <" + element.name + "/>", Failure::Transient);
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
            Fail(xmpp::SaslFailure(element), Failure::Auth);
        }
    } catch (const xmpp::SaslError& e) {
        Fail(std::string("authentication failed: ") + e.what(), Failure::Auth);
    }
}

void Session::Bind(const xml::Element& features)
{
    if (features.Child("bind", xmpp::ns::kBind) == nullptr) {
        Fail("the server offers no resource binding", Failure::Transient);
        return;
    }
    const bool needs_session = xmpp::NeedsSession(features);
    state_ = State::Binding;
    const auto on_bound = [this, needs_session](std::optional<xml::Element> reply) {
        if (state_ != State::Binding)
            return; // the session ended meanwhile
        const auto jid = reply ? xmpp::BoundJid(*reply) : std::nullopt;
        if (!jid) {
            Fail(xmpp::IqFailure("resource binding", reply), Failure::Transient);
            return;
        }
        full_jid_ = *jid;
        if (needs_session)
            EstablishSession();
        else
            SendPresence();
    };
    SendIqNow(xmpp::BindIq(iqs_.NewId(), account_.resource), on_bound, true);
}

// RFC 3921 session establishment, only where the server still requires it.
void Session::EstablishSession()
{
    SendIqNow(
        xmpp::SessionIq(iqs_.NewId()),
        [this](std::optional<xml::Element> reply) {
            if (state_ != State::Binding)
                return;
            if (!reply || reply->Attr("type") != "result") {
                Fail(xmpp::IqFailure("session establishment", reply), Failure::Transient);
                return;
            }
            SendPresence();
        },
        true);
}

void Session::SendPresence()
{
    const xml::Element presence = xmpp::InitialPresence(options_.presence_extension);
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
