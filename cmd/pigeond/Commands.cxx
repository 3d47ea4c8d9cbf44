#include "Commands.hxx"

#include "ConfigFile.hxx"
#include "StoreJson.hxx"
#include "control/Error.hxx"
#include "link/LinkManager.hxx"
#include "uplink/Uplink.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xml/Utf8.hxx"
#include "xmpp/Jid.hxx"

#include <algorithm>
#include <utility>
#include <cstdio>
#include <fstream>

namespace pigeon {
using control::Json;
using control::RequestError;

namespace {

std::string StringArg(const Json& request, const char* name)
{
    const auto it = request.find(name);
    if (it == request.end() || !it->is_string())
        throw RequestError("bad-request", std::string("missing string argument \"") + name + "\"");
    return it->get<std::string>();
}

bool OnlyWhitespace(const std::string& text)
{
    return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

} // namespace

void Commands::Handle(const Json& request, control::Server::Respond respond)
{
    const std::string cmd = request.at("cmd").get<std::string>();
    if (cmd == "register" || cmd == "passwd") {
        if (uplink_ == nullptr)
            throw RequestError("no-account", "no account is configured");
        if (cmd == "passwd") {
            ChangePassword(request, std::move(respond));
            return;
        }
        const unsigned ticket = Await(std::move(respond));
        uplink_->Register([this, ticket](const std::string& error) {
            Answer(ticket, error.empty() ? control::OkReply({{"registered", true}})
                                         : control::ErrorReply("server-refused",
                                                               "registration failed: " + error));
        });
        return;
    }
    respond(control::OkReply(Execute(request)));
}

Json Commands::Execute(const Json& request)
{
    const std::string cmd = request.at("cmd").get<std::string>();
    if (cmd == "send")
        return Send(request);
    if (cmd == "outbox")
        return ToJsonArray(store_.Outbox());
    if (cmd == "carrying")
        return ToJsonArray(store_.Carrying());
    if (cmd == "inbox")
        return ToJsonArray(store_.Inbox());
    if (cmd == "show")
        return Show(request);
    if (cmd == "search")
        return Search(request);
    if (cmd == "status")
        return Status();
    if (cmd == "peers")
        return Peers(request);
    if (cmd == "account")
        return Account();
    if (cmd == "presence")
        return Presence(request);
    if (cmd == "contacts")
        return ToJsonArray(store_.Contacts());
    if (cmd == "contacts-add")
        return AddContact(request);
    if (cmd == "account-set")
        return SetAccount(request);
    if (cmd == "ping")
        return {{"version", PIGEON_VERSION}};
    throw RequestError("unknown-command", "unknown command '" + cmd + "'");
}

Json Commands::Send(const Json& request)
{
    const std::string to_text = StringArg(request, "to");
    const std::string body = StringArg(request, "body");

    std::optional<xmpp::Jid> to;
    try {
        to = xmpp::Jid::Parse(to_text);
    } catch (const std::invalid_argument& e) {
        throw RequestError("bad-jid", "invalid recipient '" + to_text + "': " + e.what());
    }
    if (to->Local().empty())
        throw RequestError("bad-jid", "invalid recipient '" + to_text +
                                          "': a message goes to user@domain, not to a server");
    if (OnlyWhitespace(body))
        throw RequestError("bad-body", "the message is empty");
    if (body.size() > config_.max_body)
        throw RequestError("bad-body", "the message is " + std::to_string(body.size()) +
                                           " bytes; the limit is " +
                                           std::to_string(config_.max_body));
    if (const auto problem = xml::TextProblem(body))
        throw RequestError("bad-body", "the message cannot be sent over XMPP: " + *problem);

    const auto item = store_.Enqueue(to->ToString(), body, NowMs());
    log::Info("outbox", "queued " + item.id + " for " + item.to);
    if (link_ != nullptr)
        link_->OutboxChanged();
    if (uplink_ != nullptr)
        uplink_->Flush();
    return ToJson(item);
}

Json Commands::Show(const Json& request)
{
    const std::string id = StringArg(request, "id");
    store::FoundItem found;
    try {
        found = store_.Find(id);
    } catch (const store::StoreError& e) {
        using Reason = store::StoreError::Reason;
        throw RequestError(e.GetReason() == Reason::NotFound    ? "not-found"
                           : e.GetReason() == Reason::Ambiguous ? "ambiguous"
                                                                : "bad-request",
                           e.what());
    }
    if (found.outbox)
        return {{"box", "outbox"}, {"item", ToJson(*found.outbox)}};
    if (found.carried)
        return {{"box", "carrying"}, {"item", ToJson(*found.carried)}};
    return {{"box", "inbox"}, {"item", ToJson(*found.inbox)}};
}

Json Commands::Search(const Json& request)
{
    try {
        return ToJsonArray(store_.Search(StringArg(request, "text")));
    } catch (const store::StoreError& e) {
        throw RequestError("bad-request", e.what());
    }
}

Json Commands::Presence(const Json& request)
{
    const std::string status = StringArg(request, "status");
    if (status != "avail" && status != "away" && status != "dnd")
        throw RequestError("bad-request", "status must be avail, away or dnd, not '" + status + "'");
    if (link_ == nullptr)
        throw RequestError("bad-request", "link-local is off");
    link_->SetStatus(status);
    return {{"status", status}};
}

Json Commands::Account() const
{
    Json connectivity = Connectivity();
    return {{"jid", config_.account},
            {"bosh_url", connectivity["bosh_url"]},
            {"bosh_url_source", connectivity["bosh_url_source"]},
            {"host_meta_url", connectivity["host_meta_url"]},
            {"password", config_.password.empty() ? "not set" : "set"},
            {"password_file", config_.password_file},
            {"connectivity", std::move(connectivity)}};
}

Json Commands::AddContact(const Json& request)
{
    const std::string text = StringArg(request, "jid");
    const auto jid = xmpp::Jid::TryParse(text);
    if (!jid || jid->Local().empty())
        throw RequestError("bad-jid", "invalid contact '" + text + "': expected user@domain");
    const std::string bare = jid->Bare().ToString();
    const std::string name = request.value("name", "");
    if (uplink_ != nullptr)
        uplink_->AddContact(bare, name);
    else
        store_.AddContact(bare, name);
    return {{"jid", bare}, {"name", name}};
}

void Commands::ChangePassword(const Json& request, control::Server::Respond respond)
{
    const std::string password = StringArg(request, "password");
    if (password.empty() || xml::TextProblem(password))
        throw RequestError("bad-request", "the new password is empty or not valid text");
    const unsigned ticket = Await(std::move(respond));
    log::Info("pigeond", "asking the server to change the password of " + config_.account);
    uplink_->ChangePassword(password, [this, password, ticket](const std::string& error) {
        if (!awaiting_.contains(ticket))
            return; // the account changed meanwhile: its password file is not this one's
        if (!error.empty()) {
            Answer(ticket, control::ErrorReply("server-refused", "password change failed: " + error));
            return;
        }
        // Keep the stored password in step, or the next start logs in with the old one.
        std::string note = "changed on the server";
        if (!config_.password_file.empty()) {
            // Write aside, then rename: a crash never leaves half a password.
            const std::string temporary = config_.password_file + ".new";
            std::ofstream file(temporary, std::ios::trunc);
            file << password << '\n';
            file.close();
            const bool written = file && std::rename(temporary.c_str(),
                                                     config_.password_file.c_str()) == 0;
            note += written ? "; password file updated"
                            : "; could NOT update the password file: update it by hand";
        } else {
            note += "; update what password-command prints";
        }
        Answer(ticket, control::OkReply({{"changed", true}, {"note", note}}));
    });
}

unsigned Commands::Await(control::Server::Respond respond)
{
    const unsigned ticket = next_ticket_++;
    awaiting_.emplace(ticket, std::move(respond));
    return ticket;
}

void Commands::Answer(unsigned ticket, const Json& reply)
{
    const auto it = awaiting_.find(ticket);
    if (it == awaiting_.end())
        return;
    auto respond = std::move(it->second);
    awaiting_.erase(it);
    respond(reply);
}

Json Commands::SetAccount(const Json& request)
{
    const std::string text = StringArg(request, "jid");
    const auto jid = xmpp::Jid::TryParse(text);
    if (!jid || jid->Local().empty() || !jid->IsBare())
        throw RequestError("bad-jid", "invalid account '" + text + "': expected user@domain");
    const std::string password = StringArg(request, "password");
    if (password.empty() || xml::TextProblem(password) ||
        password.find_first_of("\r\n") != std::string::npos)
        throw RequestError("bad-request", "the password is empty or not one line of valid text");
    const std::string bosh_url = request.value("bosh_url", "");
    if (!bosh_url.empty() && !bosh_url.starts_with("http://") && !bosh_url.starts_with("https://"))
        throw RequestError("bad-request", "'" + bosh_url + "' is not an http:// or https:// URL");
    if (!replace_uplink_)
        throw RequestError("bad-request", "this pigeond cannot change its account");
    if (config_.config_file.empty())
        throw RequestError("no-config-file", "no config file to write the account to (no HOME?)");

    DaemonConfig updated = config_;
    updated.account = jid->ToString();
    updated.bosh_url = bosh_url;
    updated.password = password;
    updated.password_file = (config_.config_file.parent_path() / "password").string();
    try {
        SaveAccount({updated.config_file, updated.password_file}, updated.account,
                    updated.bosh_url, updated.password);
    } catch (const std::runtime_error& e) {
        throw RequestError("cannot-save", e.what());
    }
    log::Notice("pigeond", "account set to " + updated.account + " in " +
                               updated.config_file.string());
    // The uplink these wait on goes away with the old account: say so now.
    for (auto& [ticket, respond] : std::exchange(awaiting_, {}))
        respond(control::ErrorReply("cancelled", "the account changed before the server answered; "
                                                 "the request may or may not have taken effect"));
    uplink_ = replace_uplink_(std::move(updated));
    return {{"jid", config_.account},
            {"bosh_url", config_.bosh_url},
            {"config_file", config_.config_file.string()},
            {"password_file", config_.password_file},
            {"note", "account " + config_.account + " saved in " + config_.config_file.string() +
                         "; logging in " +
                         (config_.bosh_url.empty() ? "once the BOSH URL is discovered"
                                                   : "via " + config_.bosh_url)}};
}

Json Commands::Connectivity() const
{
    if (uplink_ == nullptr)
        return {{"state", "offline"},
                {"since", control::TimeToJson(started_)},
                {"last_probe", nullptr},
                {"session", "no account"}, // an account always gets an uplink
                {"jid", config_.account},
                {"bosh_url", config_.bosh_url},
                {"bosh_url_source", nullptr},
                {"host_meta_url", nullptr},
                {"key_published", false}};
    const auto s = uplink_->Status();
    return {{"state", s.online ? "online" : "offline"},
            {"since", control::TimeToJson(s.since)},
            {"last_probe",
             s.last_probe == 0 ? Json(nullptr)
                               : Json{{"at", control::TimeToJson(s.last_probe)},
                                      {"result", s.last_result}}},
            {"session", s.session},
            {"jid", s.jid.empty() ? config_.account : s.jid},
            {"bosh_url", s.bosh_url},
            {"bosh_url_source", s.bosh_url_source.empty() ? Json(nullptr) : Json(s.bosh_url_source)},
            {"host_meta_url", s.host_meta_url.empty() ? Json(nullptr) : Json(s.host_meta_url)},
            {"key_published", s.key_published}};
}

// Every neighbour ever seen, from the store, marked with what the link layer
// knows now; or, with "log", the handshake log.
Json Commands::Peers(const Json& request)
{
    if (request.value("log", false))
        return ToJsonArray(
            store_.HandshakeLog(std::clamp(request.value("limit", 200), 1, 1'000'000)));
    Json peers = Json::array();
    const auto live = link_ != nullptr ? link_->Peers() : std::vector<link::PeerView>{};
    for (const auto& neighbour : store_.Neighbours()) {
        Json entry = ToJson(neighbour);
        const auto it = std::find_if(live.begin(), live.end(), [&](const auto& p) {
            return p.instance == neighbour.instance;
        });
        entry["present"] = it != live.end() && it->present;
        entry["connected"] = it != live.end() && it->connected;
        peers.push_back(std::move(entry));
    }
    return peers;
}

Json Commands::Status()
{
    std::size_t present = 0;
    if (link_ != nullptr)
        for (const auto& peer : link_->Peers())
            present += peer.present ? 1 : 0;
    return {{"version", PIGEON_VERSION},
            {"instance", link_ != nullptr ? link_->OwnInstance() : std::string()},
            {"started", control::TimeToJson(started_)},
            {"connectivity", Connectivity()},
            {"neighbours", present},
            {"queues", ToJson(store_.GetQueueSizes())},
            {"counters", ToJson(store_.GetCounters())},
            {"identity", KeyFingerprint(public_key_)},
            {"data_dir", config_.data_dir.string()}};
}

} // namespace pigeon
