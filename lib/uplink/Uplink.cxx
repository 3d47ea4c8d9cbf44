#include "uplink/Uplink.hxx"

#include "store/Store.hxx"
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
    : store_(store), identity_(Required(config.identity)), link_(io, std::move(config), *this),
      keys_(store, identity_, link_,
            [this](const std::string& jid) {
                inbox_.Settle(jid);
                if (link_.Config().on_key)
                    link_.Config().on_key(jid);
            }),
      roster_(store, link_), uploader_(io, store, link_, keys_, link_.Config().only_pigeons,
                                       link_.Config().custody_wait, [this] { FlushNotices(); }),
      notices_(store, link_, keys_, identity_),
      inbox_(store, identity_, link_, keys_, [this](const std::string&) { OnNews(); }),
      catch_up_(store, link_, [this](const xml::Element& message, UnixMs archived) {
          inbox_.Take(message, archived);
      })
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
    if (!link_.Online())
        return;
    uploader_.Flush();
    FlushNotices();
}

void Uplink::FlushNotices() noexcept
{
    // Behind the uploads: they are what the recipients wait for, the origin
    // is usually away, and a notice queued ahead of them would hold them back.
    if (link_.Online() && !uploader_.Uploading())
        notices_.Flush();
}

void Uplink::Shutdown(std::function<void()> done) noexcept
{
    link_.Shutdown(std::move(done));
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

void Uplink::SendReceipt(const std::string& origin, const std::string& id)
{
    if (link_.Online())
        inbox_.SendReceipt(origin, id);
}

void Uplink::FetchKey(const std::string& account)
{
    if (link_.Online())
        keys_.Fetch(account);
}

void Uplink::OnLoggedIn() noexcept
{
    logged_in_ = true;
    Publish(link_.Config().events, [this] {
        return Event{"online", 0, {{"jid", link_.Status().jid}}};
    });
    try {
        keys_.OnLoggedIn();
        roster_.Fetch();
        keys_.FetchWanted();
        if (link_.Config().link_wants_keys)
            for (const auto& account : link_.Config().link_wants_keys())
                keys_.Fetch(account);
        // Receipts and carriers' reports may wait in the archive: our own
        // messages go once we have read it. What we carry goes at once.
        catch_up_.Start([this] { OnCaughtUp(); });
        Flush();
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("starting the session's work: ") + e.what());
    }
}

void Uplink::OnCaughtUp() noexcept
{
    uploader_.CaughtUp();
    OnNews();
}

void Uplink::OnNews() noexcept
{
    try {
        FlushNotices();
        if (!catch_up_.CaughtUp())
            return;
        uploader_.Flush(); // a carrier's report may hold back, or free, our own send
        // A recipient that fetched our key before we published it holds what
        // carriers brought as unverified, and sends no receipt until it has it.
        for (const auto& recipient : store_.CustodyRecipients())
            keys_.Announce(xmpp::BareOf(recipient));
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("after a report: ") + e.what());
    }
}

void Uplink::OnStanza(const xml::Element& stanza) noexcept
{
    try {
        const auto type = stanza.Attr("type");
        if (stanza.name == "message") {
            if (!catch_up_.Take(stanza)) {
                inbox_.Take(stanza);
                catch_up_.Seen(stanza);
            }
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
    catch_up_.Stop();
    uploader_.Forget();
    notices_.Forget();
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
