#include "uplink/Uplink.hxx"

#include "net/RouteWatcher.hxx"
#include "store/Store.hxx"
#include "uplink/HostMeta.hxx"
#include "util/Log.hxx"
#include "xml/Document.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

// After the server refused our credentials, try again this long after,
// doubling up to the maximum: often enough to notice a fix made on the
// server, rarely enough not to look like password guessing.
constexpr std::chrono::seconds kFirstLoginRetry{60};
constexpr std::chrono::seconds kMaxLoginRetry{3600};

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

const crypto::Identity& Required(const crypto::Identity* identity)
{
    if (identity == nullptr)
        throw std::invalid_argument("the uplink needs our identity");
    return *identity;
}

// The BOSH URL configured, else the one discovered before, else none yet.
UplinkConfig WithKnownUrl(UplinkConfig c, std::string& source)
{
    if (!c.bosh_url.empty()) {
        source = "configured";
    } else if (c.host_meta_url.empty()) {
        throw std::invalid_argument("neither a BOSH URL nor a host-meta URL to discover it from");
    } else if (auto url = LoadDiscoveredUrl(c.discovered_url_file, c.host_meta_url)) {
        c.bosh_url = std::move(*url);
        source = "discovered";
    }
    return c;
}

ProbeConfig MakeProbeConfig(const UplinkConfig& c)
{
    ProbeConfig probe = c.probe;
    if (probe.url.empty())
        probe.url = c.bosh_url;
    if (c.bosh_url.empty())
        probe.host_meta_url = c.host_meta_url;
    return probe;
}

// What a stock client shows for a carried message.
std::string FallbackBody(const xmpp::ChatMessage& m)
{
    return "[carried by pigeon for " + m.from + ", sent " + FormatRfc3339(m.sent) + "] " + m.body;
}

} // namespace

Uplink::Uplink(boost::asio::io_context& io, store::Store& store, UplinkConfig config)
    : store_(store), identity_(Required(config.identity)),
      config_(WithKnownUrl(std::move(config), bosh_url_source_)), multi_(io),
      probe_(multi_, MakeProbeConfig(config_), [this](bool online) { OnProbe(online); },
             [this](const std::string& url) { OnDiscovered(url); }),
      login_retry_(io), login_backoff_(kFirstLoginRetry)
{
    if (!config_.bosh_url.empty())
        StartSession(config_.bosh_url);
    else
        log::Notice("uplink", "no BOSH URL yet: discovering it from " + config_.host_meta_url);
    if (config_.watch_routes)
        routes_ = std::make_unique<net::RouteWatcher>(io, [this] {
            log::Debug("uplink", "addresses or routes changed: probing");
            probe_.Check();
        });
}

Uplink::~Uplink()
{
    if (session_)
        session_->Stop();
}

// Sets up the session that the probe's verdict starts and stops. Throws like
// the constructor.
void Uplink::StartSession(const std::string& bosh_url)
{
    config_.bosh_url = bosh_url;
    bosh::Session::Listener& listener = *this; // a private base: convert here, not in make_unique
    session_ = std::make_unique<bosh::Session>(
        multi_, bosh::Account{config_.account, config_.password, bosh_url, "pigeon"}, listener,
        MakeOptions());
}

void Uplink::OnDiscovered(const std::string& bosh_url)
{
    StartSession(bosh_url);
    bosh_url_source_ = "discovered";
    try {
        SaveDiscoveredUrl(config_.discovered_url_file, config_.host_meta_url, bosh_url);
    } catch (const std::exception& e) {
        // Not fatal: the next start discovers it again, given signal.
        log::Warning("uplink", std::string("cannot remember the BOSH URL: ") + e.what());
    }
}

void Uplink::Shutdown() noexcept
{
    shutting_down_ = true;
    if (session_)
        session_->Stop();
    state_ = SessionState::Offline;
}

UplinkStatus Uplink::Status() const
{
    static constexpr const char* kNames[] = {"offline", "connecting", "online", "auth-failed"};
    return {probe_.Online(),
            probe_.Since(),
            probe_.LastProbe(),
            probe_.LastResult(),
            session_ ? kNames[int(state_)] : "discovering",
            session_ ? session_->FullJid() : std::string(),
            config_.bosh_url,
            bosh_url_source_,
            bosh_url_source_ == "configured" ? std::string() : config_.host_meta_url,
            key_published_};
}

void Uplink::OnProbe(bool online) noexcept
{
    if (shutting_down_ || !session_)
        return;
    try {
        if (online && state_ == SessionState::Online) {
            Flush(); // retries whatever the server did not accept earlier
        } else if (online && state_ == SessionState::Offline) {
            state_ = SessionState::Connecting;
            log::Info("uplink", "logging in as " + config_.account);
            session_->Start();
        } else if (!online && state_ != SessionState::Offline && state_ != SessionState::AuthFailed) {
            // The session would find out by itself, slowly: drop it now.
            session_->Stop();
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
    login_backoff_ = kFirstLoginRetry;
    login_retry_.cancel();
    password_watch_.reset();
    log::Notice("uplink", "online as " + full_jid);
    keys_asked_.clear();
    keys_in_flight_.clear();
    key_published_ = false;
    PublishKey();
    // The server hands us what it kept while we were away (receipts among
    // it) when it sees our presence, before it answers this: sending our
    // queue after the answer spares messages already delivered.
    FetchRoster([this] { Flush(); });
    // Keys for sealing what we send through carriers, and for checking what
    // waits in our inbox.
    for (const auto& contact : store_.Contacts())
        FetchKey(contact.jid);
    for (const auto& sender : store_.UnverifiedSenders())
        FetchKey(sender);
}

void Uplink::OnOffline(const std::string& reason, bool auth_failed) noexcept
{
    log::Warning("uplink", "session ended: " + reason);
    sending_.clear();
    uploading_.clear();
    state_ = auth_failed ? SessionState::AuthFailed : SessionState::Offline;
    if (!auth_failed)
        probe_.Check(); // online again at once if it was a hiccup
    else
        ScheduleLoginRetry();
}

void Uplink::ScheduleLoginRetry() noexcept
{
    // Watched only while refused: an idle daemon does not wake for the
    // other files of that directory.
    if (!password_watch_ && !config_.password_file.empty()) {
        try {
            password_watch_ = std::make_unique<FileWatcher>(
                multi_.IoContext(), config_.password_file,
                [this] { RetryLogin("the password file changed"); });
        } catch (const std::exception& e) {
            log::Warning("uplink", std::string("not watching the password file: ") + e.what());
        }
    }
    log::Notice("uplink", "the server refused our credentials; trying again in " +
                              std::to_string(login_backoff_.count()) + " s" +
                              (password_watch_ ? " or when the password file changes" : ""));
    login_retry_.expires_after(login_backoff_);
    login_backoff_ = std::min(login_backoff_ * 2, kMaxLoginRetry);
    login_retry_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            RetryLogin("retrying");
    });
}

void Uplink::RetryLogin(const char* why) noexcept
{
    if (state_ != SessionState::AuthFailed || shutting_down_ || !session_)
        return;
    login_retry_.cancel();
    if (config_.reread_password) {
        try {
            config_.password = config_.reread_password();
            session_->SetPassword(config_.password);
        } catch (const std::exception& e) {
            log::Warning("uplink", std::string("cannot read the password again: ") + e.what());
            ScheduleLoginRetry();
            return;
        }
    }
    log::Info("uplink", std::string(why) + ": logging in again");
    state_ = SessionState::Offline;
    probe_.Check(); // online: the session starts
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
        auto stanza = xmpp::ToStanza(m);
        AttachKey(stanza);
        session_->Send(std::move(stanza), [this, id = item.id](bool accepted) {
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
        session_->Send(std::move(wrapper), [this, key, origin = item.origin, id = item.id](bool ok) {
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
