#include "uplink/Uplink.hxx"

#include "util/EventBus.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"

#include <stdexcept>
#include <utility>

namespace pigeon::uplink {
namespace {

const crypto::Identity& Required(const crypto::Identity* identity)
{
    if (identity == nullptr)
        throw std::invalid_argument("the uplink needs our identity");
    return *identity;
}

} // namespace

Uplink::Uplink(boost::asio::io_context& io, store::Store& store, UplinkConfig config)
    : identity_(Required(config.identity)), link_(io, std::move(config), *this),
      keys_(store, identity_, link_, [this](const std::string& jid) { inbox_.Settle(jid); }),
      roster_(store, link_), uploader_(store, link_, keys_, link_.Config().only_pigeons),
      inbox_(store, identity_, link_, keys_)
{
}

// The session's last callbacks (sends and requests that fail) reach parts
// that are all still here.
Uplink::~Uplink()
{
    link_.Shutdown();
}

void Uplink::Flush() noexcept
{
    if (link_.Online())
        uploader_.Flush();
}

void Uplink::Shutdown() noexcept
{
    link_.Shutdown();
}

UplinkStatus Uplink::Status() const
{
    auto status = link_.Status();
    status.key_published = keys_.Published();
    return status;
}

void Uplink::Register(Done done)
{
    link_.Register(std::move(done));
}

void Uplink::ChangePassword(const std::string& password, Done done)
{
    link_.ChangePassword(password, std::move(done));
}

void Uplink::AddContact(const std::string& bare_jid, const std::string& name)
{
    roster_.Add(bare_jid, name);
    if (link_.Online())
        keys_.Fetch(bare_jid);
}

void Uplink::OnLoggedIn() noexcept
{
    logged_in_ = true;
    Publish(link_.Config().events, [this] {
        return Event{"online", 0, {{"jid", link_.Status().jid}}};
    });
    try {
        keys_.OnLoggedIn();
        // The server hands us what it kept while we were away (receipts among
        // it) when it sees our presence, before it answers this: sending our
        // queue after the answer spares messages already delivered.
        roster_.Fetch([this] { Flush(); });
        keys_.FetchWanted();
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("starting the session's work: ") + e.what());
    }
}

void Uplink::OnStanza(const xml::Element& stanza) noexcept
{
    try {
        const auto type = stanza.Attr("type");
        if (stanza.name == "message") {
            inbox_.Take(stanza);
        } else if (stanza.name == "presence" && type == "subscribe") {
            roster_.OnSubscribe(stanza);
        } else if (stanza.name == "presence" && type.empty()) {
            keys_.LearnKeyOf(xmpp::BareOf(stanza.Attr("from")));
        } else if (Roster::IsPush(stanza)) {
            roster_.OnPush(stanza);
        } else if (stanza.name == "iq" && (type == "get" || type == "set")) {
            link_.Send(xmpp::MakeIqError(stanza, "cancel", "service-unavailable"));
        }
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("handling a stanza: ") + e.what());
    }
}

void Uplink::OnLoggedOut() noexcept
{
    uploader_.Forget();
    if (std::exchange(logged_in_, false))
        Publish(link_.Config().events, [this] {
            return Event{"offline", 0, {{"jid", link_.Config().account}}};
        });
}

void Uplink::OnReachable() noexcept
{
    Flush();
}

} // namespace pigeon::uplink
