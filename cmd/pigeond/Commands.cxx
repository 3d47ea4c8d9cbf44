#include "Commands.hxx"

#include "Choices.hxx"
#include "ConfigFile.hxx"
#include "Daemon.hxx"
#include "ExpiryTimer.hxx"
#include "StatusJson.hxx"
#include "StoreJson.hxx"
#include "control/Command.hxx"
#include "control/Error.hxx"
#include "link/LinkManager.hxx"
#include "store/Store.hxx"
#include "uplink/Uplink.hxx"
#include "util/Log.hxx"
#include "xml/Utf8.hxx"
#include "xmpp/Jid.hxx"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <utility>

namespace pigeon {
using control::Json;
using control::RequestError;

namespace {

std::string StringArg(const Json& request, std::string_view name)
{
    const auto it = request.find(name);
    if (it == request.end() || !it->is_string())
        throw RequestError("bad-request", "missing string argument \"" + std::string(name) + "\"");
    return it->get<std::string>();
}

// What the table says a request of `command` must carry.
void CheckArguments(const control::Command& command, const Json& request)
{
    for (const auto& argument : command.Arguments()) {
        if (!control::IsRequired(argument))
            continue;
        const std::string value = StringArg(request, argument.name);
        if (!argument.choices.empty() && !ChoiceIndex(argument.choices, value))
            throw RequestError("bad-request", std::string(argument.name) + " must be " +
                                                  ChoiceList(argument.choices) + ", not '" + value +
                                                  "'");
    }
}

// send --expires: how long the message may travel; `fallback` (the ttl) without it.
UnixMs ExpiresArg(const Json& request, UnixMs fallback)
{
    const auto it = request.find("expires");
    if (it == request.end() || (it->is_string() && it->get<std::string>().empty()))
        return fallback;
    const auto text = it->is_string() ? it->get<std::string>() : std::string();
    if (const auto duration = ParseDuration(text))
        return *duration;
    throw RequestError("bad-request", "expires must be a duration such as 3s, 90m, 2h or 7d "
                                      "(at most 10 years), not '" +
                                          (it->is_string() ? text : it->dump()) + "'");
}

// pigeond's page when the client leaves the size to it (pigeonctl --json),
// and the most one reply holds, so that no listing grows the daemon with the
// store; the handshake log's default.
constexpr int kPageSize = 1000;
constexpr int kMostPerPage = 10'000;
constexpr int kLogEvents = 200;

int LimitArg(const Json& request, int fallback)
{
    const auto it = request.find("limit");
    if (it == request.end())
        return fallback;
    if (!it->is_number_integer())
        throw RequestError("bad-request", "limit must be a whole number");
    const auto limit = it->get<std::int64_t>();
    return limit <= 0 ? fallback : int(std::min<std::int64_t>(limit, kMostPerPage));
}

store::PageRequest PageArgs(const Json& request)
{
    store::PageRequest page{LimitArg(request, kPageSize), std::nullopt};
    const std::string before = request.value("before", std::string());
    if (!before.empty()) {
        page.before = ParseCursor(before);
        if (!page.before)
            throw RequestError("bad-request",
                               "before must be a cursor from an earlier page, not '" + before +
                                   "'");
    }
    return page;
}

bool OnlyWhitespace(const std::string& text)
{
    return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

} // namespace

// clang-format off
constexpr Commands::Handler Commands::kHandlers[] = {
    {"send", &Commands::Send},
    {"outbox", &Commands::Outbox},
    {"carrying", &Commands::Carrying},
    {"inbox", &Commands::Inbox},
    {"show", &Commands::Show},
    {"search", &Commands::Search},
    {"status", &Commands::Status},
    {"ping", &Commands::Ping},
    {"peers", &Commands::Peers},
    {"presence", &Commands::Presence},
    {"account", &Commands::Account},
    {"register", &Commands::Register},
    {"passwd", &Commands::ChangePassword},
    {"account-set", &Commands::SetAccount},
    {"contacts", &Commands::Contacts},
    {"contacts-add", &Commands::AddContact},
    {"watch", &Commands::Watch, control::Reply::Stream},
    {"forget-pin", &Commands::ForgetPin},
};
// clang-format on

// One handler per row, in order, answering now or later as the row says.
constexpr bool Commands::HandlersMatchTable()
{
    if (!control::BindsEveryCommand(kHandlers))
        return false;
    for (std::size_t i = 0; i < control::kCommandCount; ++i)
        if (kHandlers[i].reply != control::kCommands[i].reply)
            return false;
    return true;
}

void Commands::Handle(const Json& request, Respond respond)
{
    static_assert(HandlersMatchTable(), "each row of control::kCommands needs its handler here");
    const std::string name = request.at("cmd").get<std::string>();
    const auto index = control::FindCommand(name);
    if (!index)
        throw RequestError("unknown-command", "unknown command '" + name + "'");
    const Handler& handler = kHandlers[*index];
    if (handler.later != nullptr) {
        // A reply that waits on the server needs a server to wait on.
        if (control::kCommands[*index].reply == control::Reply::Later &&
            daemon_.Uplink() == nullptr)
            throw RequestError("no-account", "no account is configured");
        CheckArguments(control::kCommands[*index], request);
        (this->*handler.later)(request, std::move(respond));
        return;
    }
    CheckArguments(control::kCommands[*index], request);
    respond(control::OkReply((this->*handler.now)(request)));
}

Json Commands::Outbox(const Json& request)
{
    return ToJson(daemon_.Store().OutboxPage(PageArgs(request)));
}

Json Commands::Carrying(const Json& request)
{
    return ToJson(daemon_.Store().CarryingPage(PageArgs(request)));
}

Json Commands::Inbox(const Json& request)
{
    return ToJson(daemon_.Store().InboxPage(PageArgs(request)));
}

Json Commands::Contacts(const Json&)
{
    return ToJsonArray(daemon_.Store().Contacts());
}

Json Commands::Ping(const Json&)
{
    return {{"version", PIGEON_VERSION}};
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
    if (body.size() > daemon_.Config().max_body)
        throw RequestError("bad-body", "the message is " + std::to_string(body.size()) +
                                           " bytes; the limit is " +
                                           std::to_string(daemon_.Config().max_body));
    if (const auto problem = xml::TextProblem(body))
        throw RequestError("bad-body", "the message cannot be sent over XMPP: " + *problem);

    const UnixMs now = NowMs();
    const auto item = daemon_.Store().Enqueue(
        to->ToString(), body, now,
        now + ExpiresArg(request, UnixMs{daemon_.Config().ttl_hours} * 3600 * 1000),
        daemon_.Link() != nullptr ? daemon_.Link()->SealOnQueue() : store::SealFor());
    log::Info("outbox", "queued " + item.id + " for " + item.to);
    Publish(&daemon_.Events(), [&item] {
        return Event{"queued", 0, {{"id", item.id}, {"to", item.to}}};
    });
    if (daemon_.Expiry() != nullptr)
        daemon_.Expiry()->Rearm();
    if (daemon_.Link() != nullptr)
        daemon_.Link()->Queued(item);
    if (daemon_.Uplink() != nullptr)
        daemon_.Uplink()->Flush();
    return ToJson(item);
}

Json Commands::Show(const Json& request)
{
    const std::string id = StringArg(request, "id");
    store::FoundItem found;
    try {
        found = daemon_.Store().Find(id);
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
        return ToJsonArray(daemon_.Store().Search(StringArg(request, "text")));
    } catch (const store::StoreError& e) {
        throw RequestError("bad-request", e.what());
    }
}

Json Commands::Presence(const Json& request)
{
    const std::string status = StringArg(request, "status"); // one of the table's choices
    if (daemon_.Link() == nullptr)
        throw RequestError("bad-request", "link-local is off");
    daemon_.Link()->SetStatus(status);
    return {{"status", status}};
}

Json Commands::ForgetPin(const Json& request)
{
    const std::string instance = StringArg(request, "instance");
    if (daemon_.Link() == nullptr)
        throw RequestError("bad-request", "link-local is off");
    const bool forgotten = daemon_.Link()->ForgetPin(instance);
    return {{"instance", instance},
            {"forgotten", forgotten},
            {"note", forgotten ? "forgot the TLS pin vouched for " + instance +
                                     ": the next one it shows signed is taken"
                               : "no TLS pin was remembered for " + instance}};
}

Json Commands::Account(const Json&)
{
    const DaemonConfig& config = daemon_.Config();
    Json connectivity = Connectivity();
    return {{"jid", config.account},
            {"bosh_url", connectivity["bosh_url"]},
            {"bosh_url_source", connectivity["bosh_url_source"]},
            {"host_meta_url", connectivity["host_meta_url"]},
            {"password", config.password.empty() ? "not set" : "set"},
            {"password_file", config.password_file},
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
    if (daemon_.Uplink() != nullptr)
        daemon_.Uplink()->AddContact(bare, name);
    else
        daemon_.Store().AddContact(bare, name);
    return {{"jid", bare}, {"name", name}};
}

void Commands::Register(const Json&, Respond respond)
{
    const unsigned ticket = Await(std::move(respond));
    daemon_.Uplink()->Register([this, ticket](const std::string& error) {
        Answer(ticket, error.empty() ? control::OkReply({{"registered", true}})
                                     : control::ErrorReply("server-refused",
                                                           "registration failed: " + error));
    });
}

void Commands::ChangePassword(const Json& request, Respond respond)
{
    const std::string password = StringArg(request, "password");
    if (password.empty() || xml::TextProblem(password))
        throw RequestError("bad-request", "the new password is empty or not valid text");
    const unsigned ticket = Await(std::move(respond));
    log::Info("pigeond", "asking the server to change the password of " + daemon_.Config().account);
    daemon_.Uplink()->ChangePassword(password, [this, password, ticket](const std::string& error) {
        if (!awaiting_.contains(ticket))
            return; // the account changed meanwhile: its password file is not this one's
        if (!error.empty()) {
            Answer(ticket,
                   control::ErrorReply("server-refused", "password change failed: " + error));
            return;
        }
        // Keep the stored password in step, or the next start logs in with the old one.
        std::string note = "changed on the server";
        if (!daemon_.Config().password_file.empty()) {
            // Write aside, then rename: a crash never leaves half a password.
            const std::string temporary = daemon_.Config().password_file + ".new";
            std::ofstream file(temporary, std::ios::trunc);
            file << password << '\n';
            file.close();
            const bool written =
                file && std::rename(temporary.c_str(), daemon_.Config().password_file.c_str()) == 0;
            note += written ? "; password file updated"
                            : "; could NOT update the password file: update it by hand";
        } else {
            note += "; update what password-command prints";
        }
        Answer(ticket, control::OkReply({{"changed", true}, {"note", note}}));
    });
}

unsigned Commands::Await(Respond respond)
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
    if (daemon_.Config().config_file.empty())
        throw RequestError("no-config-file", "no config file to write the account to (no HOME?)");

    DaemonConfig updated = daemon_.Config();
    updated.account = jid->ToString();
    updated.bosh_url = bosh_url;
    updated.password = password;
    updated.password_file = (daemon_.Config().config_file.parent_path() / "password").string();
    updated.password_command.clear(); // SaveAccount drops it from the file too
    try {
        SaveAccount({updated.config_file, updated.password_file}, updated.account, updated.bosh_url,
                    updated.password);
    } catch (const std::runtime_error& e) {
        throw RequestError("cannot-save", e.what());
    }
    log::Notice("pigeond",
                "account set to " + updated.account + " in " + updated.config_file.string());
    // The uplink these wait on goes away with the old account: say so now.
    for (auto& [ticket, respond] : std::exchange(awaiting_, {}))
        respond(control::ErrorReply("cancelled", "the account changed before the server answered; "
                                                 "the request may or may not have taken effect"));
    daemon_.ReplaceAccount(std::move(updated));
    const DaemonConfig& config = daemon_.Config();
    return {{"jid", config.account},
            {"bosh_url", config.bosh_url},
            {"config_file", config.config_file.string()},
            {"password_file", config.password_file},
            {"note", "account " + config.account + " saved in " + config.config_file.string() +
                         "; logging in " +
                         (config.bosh_url.empty() ? "once the BOSH URL is discovered"
                                                  : "via " + config.bosh_url)}};
}

// From the reply on, every event of the daemon's bus goes to this connection
// until the client hangs up (or falls behind, and the server lets it go).
void Commands::Watch(const Json&, Respond respond)
{
    auto subscription = std::make_shared<EventBus::Subscription>();
    const auto feed = respond.OpenFeed();
    if (!feed)
        throw RequestError("bad-request", "this connection cannot carry a watch");
    *subscription =
        daemon_.Events().Subscribe([feed = std::weak_ptr<control::Feed>(feed)](const Event& e) {
            if (const auto open = feed.lock())
                open->Send(control::ToJson(e));
        });
    feed->Keep(std::move(subscription));
    respond(control::OkReply({{"watching", true}}));
}

Json Commands::Connectivity() const
{
    const auto& config = daemon_.Config();
    if (daemon_.Uplink() == nullptr)
        return NoUplinkJson(daemon_.Started(), config.account, config.bosh_url);
    return ConnectivityJson(daemon_.Uplink()->Status(), config.account);
}

// Every neighbour ever seen, from the store, marked with what the link layer
// knows now; or, with "log", the handshake log.
Json Commands::Peers(const Json& request)
{
    if (request.value("log", false))
        return ToJsonArray(daemon_.Store().HandshakeLog(LimitArg(request, kLogEvents)));
    Json peers = Json::array();
    const auto live =
        daemon_.Link() != nullptr ? daemon_.Link()->Peers() : std::vector<link::PeerView>{};
    for (const auto& neighbour : daemon_.Store().Neighbours()) {
        Json entry = ToJson(neighbour);
        const auto it = std::find_if(live.begin(), live.end(), [&](const auto& p) {
            return p.instance == neighbour.instance;
        });
        entry["present"] = it != live.end() && it->present;
        entry["connected"] = it != live.end() && it->connected;
        entry["encrypted"] = it != live.end() && it->encrypted;
        entry["pinned"] = it != live.end() && it->pinned;
        entry["pin"] = link::ToString(it != live.end() ? it->vouch : link::PinVouch::None);
        peers.push_back(std::move(entry));
    }
    return peers;
}

Json Commands::Status(const Json&)
{
    std::size_t present = 0;
    if (daemon_.Link() != nullptr)
        for (const auto& peer : daemon_.Link()->Peers())
            present += peer.present ? 1 : 0;
    return {{"version", PIGEON_VERSION},
            {"instance", daemon_.Link() != nullptr ? daemon_.Link()->OwnInstance() : std::string()},
            {"started", control::TimeToJson(daemon_.Started())},
            {"connectivity", Connectivity()},
            {"neighbours", present},
            {"queues", ToJson(daemon_.Store().GetQueueSizes())},
            {"carry", CarryJson(daemon_.Store().CarriedByPeer(),
                                daemon_.Link() != nullptr ? &daemon_.Link()->Limits() : nullptr)},
            {"counters", ToJson(daemon_.Store().GetCounters())},
            {"identity", KeyFingerprint(daemon_.PublicKey())},
            {"data_dir", daemon_.Config().data_dir.string()}};
}

} // namespace pigeon
