#include "avahi/Publisher.hxx"

#include "avahi/Error.hxx"
#include "util/Log.hxx"

#include <avahi-common/alternative.h>
#include <avahi-common/error.h>

namespace pigeon::avahi {
namespace {

// Unique records go out unprobed (see Publisher.hxx). Being raw records,
// they carry no cookie: the TXT record on the wire is exactly the caller's.
constexpr int kUnique = AVAHI_PUBLISH_UNIQUE | AVAHI_PUBLISH_NO_PROBE;
// Names taken locally are reported at once; give up after this many.
constexpr int kMaxRenames = 100;

} // namespace

Publisher::Publisher(std::string type, Established established)
    : type_(std::move(type)), established_(std::move(established))
{
}

Publisher::~Publisher() = default;

void Publisher::Publish(AvahiClient* client, std::string user, std::uint16_t port, TxtRecord txt)
{
    group_.reset();
    own_.clear();
    name_.clear();
    service_.clear();
    host_.clear();
    wanted_ = Wanted{std::move(user), port, std::move(txt)};
    if (client == nullptr)
        return;
    try {
        Register(*client);
    } catch (...) {
        wanted_.reset();
        name_.clear();
        throw;
    }
}

void Publisher::UpdateTxt(TxtRecord txt)
{
    if (!wanted_)
        return;
    wanted_->txt = std::move(txt);
    if (group_ == nullptr || service_.empty())
        return;
    if (const int error = AddRecords({ServiceTxt(service_, wanted_->txt)}, AVAHI_PUBLISH_UPDATE);
        error < 0)
        throw MakeError(error, "cannot update the TXT record of '" + name_ + "'");
}

void Publisher::Withdraw() noexcept
{
    if (group_ != nullptr)
        log::Info("avahi", "withdrawing '" + name_ + "'");
    wanted_.reset();
    // Freeing the group makes avahi-daemon send the goodbye.
    group_.reset();
    own_.clear();
    name_.clear();
    service_.clear();
    host_.clear();
}

void Publisher::OnRunning(AvahiClient& client) noexcept
{
    if (!wanted_ || group_ != nullptr)
        return;
    try {
        Register(client);
    } catch (const std::exception& e) {
        log::Warning("avahi", e.what());
    }
}

void Publisher::OnLost() noexcept
{
    group_.reset();
    own_.clear();
}

void Publisher::Register(AvahiClient& client)
{
    const char* host = avahi_client_get_host_name(&client);
    if (host == nullptr)
        throw MakeError(&client, "cannot get the Avahi host name");
    // A new host name (after a host name collision) starts from the plain name again.
    if (name_.empty() || host_ != host) {
        host_ = host;
        name_ = wanted_->user + "@" + host_;
    }

    if (group_ == nullptr) {
        group_.reset(avahi_entry_group_new(&client, OnGroupEvent, this));
        if (group_ == nullptr)
            throw MakeError(&client, "cannot create an Avahi entry group");
    } else {
        avahi_entry_group_reset(group_.get());
    }

    const char* domain = avahi_client_get_domain_name(&client);
    const char* fqdn = avahi_client_get_host_name_fqdn(&client);
    if (domain == nullptr || fqdn == nullptr)
        throw MakeError(&client, "cannot get the Avahi domain and host name");
    service_.clear();
    for (int renames = 0;; ++renames) {
        const auto records =
            ServiceRecords(name_, type_, domain, fqdn, wanted_->port, wanted_->txt);
        const int error = AddRecords(records);
        // Another client of this avahi-daemon has the name: no probing needed to know.
        if (error == AVAHI_ERR_COLLISION && renames < kMaxRenames) {
            avahi_entry_group_reset(group_.get());
            Rename("is taken on this host");
            continue;
        }
        if (error < 0) {
            group_.reset();
            throw MakeError(error, "cannot publish '" + name_ + "'");
        }
        service_ = records.front().name;
        break;
    }
    if (const int error = avahi_entry_group_commit(group_.get()); error < 0) {
        group_.reset();
        throw MakeError(error, "cannot publish '" + name_ + "'");
    }
    log::Info("avahi", "publishing '" + name_ + "' on port " + std::to_string(wanted_->port));
}

int Publisher::AddRecords(const std::vector<RawRecord>& records, int extra_flags) noexcept
{
    for (const auto& record : records) {
        const int error = avahi_entry_group_add_record(
            group_.get(), AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
            AvahiPublishFlags((record.unique ? kUnique : 0) | extra_flags), record.name.c_str(),
            AVAHI_DNS_CLASS_IN, record.type, record.ttl, record.rdata.data(), record.rdata.size());
        if (error < 0)
            return error;
    }
    return 0;
}

void Publisher::Rename(const char* why) noexcept
{
    const CharPtr alternative(avahi_alternative_service_name(name_.c_str()));
    if (alternative == nullptr)
        return;
    log::Notice("avahi", "name collision: '" + name_ + "' " + why + ", renaming to '" +
                             alternative.get() + "'");
    name_ = alternative.get();
}

void Publisher::OnGroupEvent(AvahiEntryGroup* group, AvahiEntryGroupState state,
                             void* userdata) noexcept
{
    static_cast<Publisher*>(userdata)->OnGroupState(group, state);
}

void Publisher::OnGroupState(AvahiEntryGroup* group, AvahiEntryGroupState state) noexcept
{
    switch (state) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
        own_ = name_;
        log::Info("avahi", "published '" + own_ + "'");
        // Even under the old name: whoever waited for a name (own_ was empty
        // while the daemon was away) may go on now.
        if (established_)
            established_(own_);
        break;
    case AVAHI_ENTRY_GROUP_COLLISION:
        own_.clear();
        Rename("is taken by another host");
        try {
            Register(*avahi_entry_group_get_client(group));
        } catch (const std::exception& e) {
            log::Warning("avahi", e.what());
        }
        break;
    case AVAHI_ENTRY_GROUP_FAILURE:
        own_.clear();
        log::Warning("avahi",
                     "publishing '" + name_ + "' failed: " +
                         avahi_strerror(avahi_client_errno(avahi_entry_group_get_client(group))));
        break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
        break;
    }
}

} // namespace pigeon::avahi
