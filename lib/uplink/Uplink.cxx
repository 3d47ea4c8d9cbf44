#include "uplink/Uplink.hxx"

#include "net/RouteWatcher.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xml/Document.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

bosh::Account MakeAccount(const UplinkConfig& c)
{
    return {c.account, c.password, c.bosh_url, "pigeon"};
}

bosh::SessionOptions MakeOptions()
{
    bosh::SessionOptions options;
    // XEP-0115 in our presence: other pigeons can tell we carry.
    xml::Element caps("c", std::string(xmpp::kCaps));
    caps.SetAttr("hash", "sha-1");
    caps.SetAttr("node", std::string(xmpp::ns::kPigeon));
    caps.SetAttr("ver", xmpp::CapsVer(xmpp::PigeonDiscoInfo()));
    options.presence_extension = caps;
    return options;
}

ProbeConfig WithUrl(ProbeConfig probe, const std::string& url)
{
    if (probe.url.empty())
        probe.url = url;
    return probe;
}

// What a stock client shows for a carried message.
std::string FallbackBody(const xmpp::ChatMessage& m)
{
    return "[carried by pigeon for " + m.from + ", sent " + FormatRfc3339(m.sent) + "] " + m.body;
}

} // namespace

Uplink::Uplink(boost::asio::io_context& io, store::Store& store, UplinkConfig config)
    : store_(store), config_(std::move(config)), multi_(io),
      session_(multi_, MakeAccount(config_), *this, MakeOptions()),
      probe_(multi_, WithUrl(config_.probe, config_.bosh_url),
             [this](bool online) { OnProbe(online); })
{
    if (config_.watch_routes)
        routes_ = std::make_unique<net::RouteWatcher>(io, [this] {
            log::Debug("uplink", "addresses or routes changed: probing");
            probe_.Check();
        });
}

Uplink::~Uplink() { session_.Stop(); }

void Uplink::Shutdown() noexcept
{
    shutting_down_ = true;
    session_.Stop();
    state_ = SessionState::Offline;
}

UplinkStatus Uplink::Status() const
{
    static constexpr const char* kNames[] = {"offline", "connecting", "online", "auth-failed"};
    return {probe_.Online(), probe_.Since(), probe_.LastProbe(), probe_.LastResult(),
            kNames[int(state_)], session_.FullJid()};
}

void Uplink::OnProbe(bool online) noexcept
{
    if (shutting_down_)
        return;
    try {
        if (online && state_ == SessionState::Online) {
            Flush(); // retries whatever the server did not accept earlier
        } else if (online && state_ == SessionState::Offline) {
            state_ = SessionState::Connecting;
            log::Info("uplink", "logging in as " + config_.account);
            session_.Start();
        } else if (!online && state_ != SessionState::Offline && state_ != SessionState::AuthFailed) {
            // The session would find out by itself, slowly: drop it now.
            session_.Stop();
            state_ = SessionState::Offline;
            sending_.clear();
            uploading_.clear();
        }
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("cannot start a session: ") + e.what());
        state_ = SessionState::Offline;
    }
}

void Uplink::OnOnline(const std::string& full_jid) noexcept
{
    state_ = SessionState::Online;
    log::Notice("uplink", "online as " + full_jid);
    FetchRoster();
    Flush();
}

void Uplink::OnOffline(const std::string& reason, bool auth_failed) noexcept
{
    log::Warning("uplink", "session ended: " + reason);
    sending_.clear();
    uploading_.clear();
    state_ = auth_failed ? SessionState::AuthFailed : SessionState::Offline;
    if (!auth_failed)
        probe_.Check(); // online again at once if it was a hiccup
}

void Uplink::Flush() noexcept
{
    if (state_ != SessionState::Online)
        return;
    try {
        if (!config_.only_pigeons)
            SendOwn();
        UploadCarried();
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("flushing: ") + e.what());
    }
}

void Uplink::SendOwn()
{
    for (const auto& item : store_.PendingForServer(1000)) {
        if (!sending_.insert(item.id).second)
            continue;
        xmpp::ChatMessage m{{}, item.to, item.id, item.body, item.created, true};
        session_.Send(xmpp::ToStanza(m), [this, id = item.id](bool accepted) {
            sending_.erase(id);
            if (!accepted)
                return; // offered again on the next flush
            try {
                if (store_.MarkSent(id, NowMs()))
                    log::Info("uplink", "sent " + id + " directly");
            } catch (const std::exception& e) {
                log::Error("uplink", std::string("recording a send: ") + e.what());
            }
        });
    }
}

void Uplink::UploadCarried()
{
    store_.ExpireCarried(NowMs());
    for (const auto& item : store_.Carrying()) {
        const std::string key = item.origin + "\n" + item.id;
        if (uploading_.count(key))
            continue;
        std::optional<xmpp::Unwrapped> original;
        xml::Element forwarded;
        try {
            forwarded = xml::ParseDocument(item.payload);
            original = xmpp::Unwrap(forwarded);
        } catch (const std::exception&) {
        }
        if (!original) {
            log::Error("uplink", "dropping an unreadable carried message " + item.id);
            store_.MarkUploaded(item.origin, item.id, NowMs());
            continue;
        }
        xml::Element wrapper("message", std::string(xmpp::ns::kClient));
        wrapper.SetAttr("to", item.to);
        wrapper.SetAttr("type", "chat");
        wrapper.SetAttr("id", "carried-" + item.id);
        wrapper.AddChild(xml::Element("body", std::string(xmpp::ns::kClient)))
            .AddText(FallbackBody(original->message));
        wrapper.AddChild(xml::Element("carried", std::string(xmpp::ns::kPigeon)))
            .SetAttr("origin", item.origin);
        wrapper.AddChild(std::move(forwarded));
        uploading_.insert(key);
        session_.Send(std::move(wrapper), [this, key, origin = item.origin, id = item.id](bool ok) {
            uploading_.erase(key);
            if (!ok)
                return; // retried on the next flush
            try {
                store_.MarkUploaded(origin, id, NowMs());
                log::Info("uplink", "uploaded " + id + " for " + origin);
            } catch (const std::exception& e) {
                log::Error("uplink", std::string("recording an upload: ") + e.what());
            }
        });
    }
}

} // namespace pigeon::uplink
