#include "avahi/Browser.hxx"

#include "avahi/ServiceRecords.hxx"
#include "avahi/Txt.hxx"
#include "util/Log.hxx"

#include <avahi-common/defs.h>
#include <avahi-common/error.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

namespace pigeon::avahi {
namespace {

constexpr auto kRestartDelay = std::chrono::seconds(5);
constexpr auto kFirstRetry = std::chrono::seconds(5);
// A responder on the link answers within milliseconds, or after the one
// query avahi-daemon repeats a second later if the first was lost.
constexpr auto kUnannouncedTimeout = std::chrono::milliseconds(1500);
// Four resolvers each, of the 1,024 objects avahi-daemon allows a client by
// default; a pigeon refused meanwhile is resolved once it is announced.
constexpr std::size_t kMaxUnannounced = 16;
constexpr auto kMaxRetry = std::chrono::minutes(5);

} // namespace

Browser::Browser(boost::asio::io_context& io, std::string type, Handler& handler)
    : io_(io), type_(std::move(type)), handler_(handler), restart_(io)
{
}

Browser::~Browser()
{
    Stop(false);
}

void Browser::Start(AvahiClient& client) noexcept
{
    if (browser_ != nullptr)
        return;
    client_ = &client;
    browser_.reset(avahi_service_browser_new(&client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                             type_.c_str(), nullptr, AvahiLookupFlags(0), OnEvent,
                                             this));
    if (browser_ == nullptr) {
        log::Warning("avahi",
                     "cannot browse " + type_ + ": " + avahi_strerror(avahi_client_errno(&client)));
        ScheduleRestart();
    }
}

void Browser::Stop(bool report) noexcept
{
    restart_.cancel();
    client_ = nullptr;
    // Take everything out first: the handler may call back into us.
    auto neighbours = std::move(neighbours_);
    neighbours_.clear();
    auto resolves = std::move(resolves_);
    resolves_.clear();
    unannounced_.clear();
    browser_.reset();
    if (report) {
        for (auto& [id, lookup] : resolves)
            lookup->Finish();
        for (const auto& [name, neighbour] : neighbours)
            if (neighbour.up || neighbour.announced)
                handler_.OnDown(name);
    }
    // Pending first lookups die here, their resolvers with them.
}

void Browser::ScheduleRestart() noexcept
{
    restart_.expires_after(kRestartDelay);
    restart_.async_wait([this, token = alive_.Watch()](boost::system::error_code ec) {
        if (ec || token.Gone() || client_ == nullptr)
            return;
        AvahiClient* client = client_;
        Stop(true);
        Start(*client);
    });
}

void Browser::OnEvent(AvahiServiceBrowser*, AvahiIfIndex interface, AvahiProtocol protocol,
                      AvahiBrowserEvent event, const char* name, const char*, const char*,
                      AvahiLookupResultFlags flags, void* userdata) noexcept
{
    auto& self = *static_cast<Browser*>(userdata);
    switch (event) {
    case AVAHI_BROWSER_NEW:
        // Ourselves, or another program on this host: not a neighbour. Avahi
        // sets these flags by name, so a remote instance under the very name
        // we are publishing gets them too: OnNew holds that one back instead.
        if ((flags & (AVAHI_LOOKUP_RESULT_OUR_OWN | AVAHI_LOOKUP_RESULT_LOCAL)) != 0 &&
            !self.handler_.IsOwnName(name))
            return;
        self.OnNew({interface, protocol}, name);
        break;
    case AVAHI_BROWSER_REMOVE:
        self.OnRemove({interface, protocol}, name);
        break;
    case AVAHI_BROWSER_FAILURE:
        self.OnFailure();
        break;
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    case AVAHI_BROWSER_ALL_FOR_NOW:
        break;
    }
}

void Browser::OnNew(Announcement where, const std::string& name) noexcept
{
    auto& neighbour = neighbours_[name];
    neighbour.seen.insert(where);
    // Under our own name: ours, or another host's that collides with it.
    // Kept, and looked at again when our name changes (Recheck).
    if (neighbour.up || handler_.IsOwnName(name))
        return;
    if (!neighbour.announced) {
        neighbour.announced = true;
        handler_.OnAnnounced(name);
    }
    if (neighbour.lookup != nullptr && !neighbour.lookup->Finished())
        neighbour.lookup->Add(where.first, where.second);
    else
        ResolveFirst(name, neighbour);
}

void Browser::Recheck() noexcept
{
    if (client_ == nullptr)
        return;
    for (auto& [name, neighbour] : neighbours_)
        if (!neighbour.up && neighbour.lookup == nullptr && neighbour.retry == nullptr &&
            !handler_.IsOwnName(name))
            ResolveFirst(name, neighbour);
}

void Browser::OnRemove(Announcement where, const std::string& name) noexcept
{
    auto i = neighbours_.find(name);
    if (i == neighbours_.end())
        return;
    i->second.seen.erase(where);
    if (!i->second.seen.empty())
        return;
    const bool was_up = i->second.up;
    const bool reported = was_up || i->second.announced;
    neighbours_.erase(i);
    if (was_up)
        log::Info("avahi", "neighbour down: " + name);
    if (reported)
        handler_.OnDown(name);
}

void Browser::OnFailure() noexcept
{
    if (client_ == nullptr)
        return;
    // A lost daemon shows as a client failure, which Presence handles.
    if (avahi_client_get_state(client_) == AVAHI_CLIENT_FAILURE)
        return;
    log::Warning("avahi", "browsing " + type_ + " failed: " +
                              avahi_strerror(avahi_client_errno(client_)) + "; restarting soon");
    ScheduleRestart();
}

void Browser::ResolveFirst(const std::string& name, Neighbour& neighbour) noexcept
{
    neighbour.retry.reset();
    // Both families, so that what the neighbour is reported up with names
    // every address a stream from it may come from.
    auto lookup = std::make_shared<Lookup>(
        io_, *client_, name, type_,
        [this, name](std::optional<ServiceInfo> info) { OnFirstResolved(name, std::move(info)); },
        HasBothFamilies);
    for (const auto& [interface, protocol] : neighbour.seen)
        lookup->Add(interface, protocol);
    lookup->Start();
    neighbour.lookup = std::move(lookup);
}

bool Browser::IsThisHost(const std::string& host_name) const noexcept
{
    const char* ours = client_ != nullptr ? avahi_client_get_host_name_fqdn(client_) : nullptr;
    if (ours == nullptr)
        return false;
    // DNS names compare without regard to ASCII case.
    return std::equal(host_name.begin(), host_name.end(), ours, ours + std::strlen(ours),
                      [](char x, char y) {
                          return std::tolower(static_cast<unsigned char>(x)) ==
                                 std::tolower(static_cast<unsigned char>(y));
                      });
}

void Browser::OnFirstResolved(const std::string& name, std::optional<ServiceInfo> info) noexcept
{
    auto i = neighbours_.find(name);
    if (i == neighbours_.end())
        return;
    auto& neighbour = i->second;
    // The Lookup keeps itself alive while it calls us.
    neighbour.lookup.reset();
    if (!info) {
        ++neighbour.failures;
        log::Debug("avahi", "cannot resolve '" + name + "' yet");
        ScheduleRetry(name, neighbour);
        return;
    }
    neighbour.failures = 0;
    if (IsThisHost(info->host_name)) {
        // Our own announcement, held back under our name until a rename.
        log::Debug("avahi", "'" + name + "' is announced by this host");
        return;
    }
    neighbour.up = true;
    WatchTxt(name, neighbour, info->txt);
    log::Info("avahi", "neighbour up: " + name);
    handler_.OnUp(*info);
}

void Browser::WatchTxt(const std::string& name, Neighbour& neighbour, const TxtRecord& txt) noexcept
{
    try {
        const auto record = ServiceName(name, type_, "local");
        auto watch = std::make_unique<TxtWatch>(TxtWatch{this, name, txt, nullptr});
        watch->handle.reset(avahi_record_browser_new(
            client_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, record.c_str(), AVAHI_DNS_CLASS_IN,
            AVAHI_DNS_TYPE_TXT, AvahiLookupFlags(0), OnTxtEvent, watch.get()));
        if (watch->handle == nullptr) {
            log::Debug("avahi", "cannot follow the TXT record of '" + name +
                                    "': " + avahi_strerror(avahi_client_errno(client_)));
            return;
        }
        neighbour.txt_watch = std::move(watch);
    } catch (const std::exception&) {
        // A name DNS-SD cannot carry, or no memory: without a watch we still
        // know the TXT it was resolved with.
    }
}

void Browser::OnTxtEvent(AvahiRecordBrowser*, AvahiIfIndex, AvahiProtocol, AvahiBrowserEvent event,
                         const char*, std::uint16_t, std::uint16_t, const void* rdata,
                         std::size_t size, AvahiLookupResultFlags, void* userdata) noexcept
{
    // REMOVE is the old record leaving; the new one comes as NEW.
    if (event != AVAHI_BROWSER_NEW || rdata == nullptr)
        return;
    auto& watch = *static_cast<TxtWatch*>(userdata);
    AvahiStringList* parsed = nullptr;
    if (avahi_string_list_parse(rdata, size, &parsed) < 0)
        return;
    const StringListPtr owner(parsed);
    try {
        auto txt = FromStringList(parsed);
        // Seen once per interface and protocol: report changes only.
        if (txt == watch.txt)
            return;
        watch.txt = std::move(txt);
        log::Debug("avahi", "'" + watch.name + "' changed its TXT record");
        watch.browser->handler_.OnTxt(watch.name, watch.txt);
    } catch (const std::exception&) {
    }
}

void Browser::ScheduleRetry(const std::string& name, Neighbour& neighbour) noexcept
{
    const auto delay = std::min<std::chrono::steady_clock::duration>(
        kFirstRetry * (1u << std::min(neighbour.failures - 1, 6u)), kMaxRetry);
    neighbour.retry = std::make_unique<boost::asio::steady_timer>(io_, delay);
    neighbour.retry->async_wait([this, token = alive_.Watch(), name](boost::system::error_code ec) {
        if (ec || token.Gone() || client_ == nullptr)
            return;
        auto i = neighbours_.find(name);
        if (i != neighbours_.end() && !i->second.up && i->second.lookup == nullptr)
            ResolveFirst(name, i->second);
    });
}

void Browser::PostDone(Lookup::Done done, std::optional<ServiceInfo> info) noexcept
{
    boost::asio::post(
        io_, [token = alive_.Watch(), done = std::move(done), info = std::move(info)]() mutable {
            if (!token.Gone())
                done(std::move(info));
        });
}

void Browser::Resolve(const std::string& instance, Lookup::Done done, Lookup::Enough enough)
{
    // Not announced to us yet: a pigeon publishes without probing (see
    // Publisher.hxx), so it may dial us before its first announcement
    // arrives, and it answers already. Asked on every interface, briefly, and
    // only so many at once: names are free to mint, and a stranger's streams
    // must not use up the resolvers avahi-daemon lets us have.
    const auto i = neighbours_.find(instance);
    const bool announced = i != neighbours_.end() && !i->second.seen.empty();
    if (client_ == nullptr || browser_ == nullptr ||
        (!announced && unannounced_.size() >= kMaxUnannounced)) {
        PostDone(std::move(done), std::nullopt);
        return;
    }
    const unsigned id = next_resolve_++;
    auto lookup = std::make_shared<Lookup>(
        io_, *client_, instance, type_,
        [this, id, done = std::move(done)](std::optional<ServiceInfo> info) mutable {
            resolves_.erase(id);
            unannounced_.erase(id);
            PostDone(std::move(done), std::move(info));
        },
        std::move(enough));
    if (announced) {
        for (const auto& [interface, protocol] : i->second.seen)
            lookup->Add(interface, protocol);
        lookup->Start();
    } else {
        for (const auto protocol : {AVAHI_PROTO_INET, AVAHI_PROTO_INET6})
            lookup->Add(AVAHI_IF_UNSPEC, protocol);
        lookup->Start(kUnannouncedTimeout);
        unannounced_.insert(id);
    }
    resolves_.emplace(id, std::move(lookup));
}

std::vector<std::string> Browser::Neighbours() const
{
    std::vector<std::string> names;
    for (const auto& [name, neighbour] : neighbours_)
        if (neighbour.up)
            names.push_back(name);
    return names;
}

} // namespace pigeon::avahi
