#pragma once
// Owning pointers for Avahi's objects. Only lib/avahi includes this.

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

#include <memory>

namespace pigeon::avahi {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* p) const noexcept { Free(p); }
};

// Freeing the client frees whatever is still attached to it, so free those first.
using ClientPtr = std::unique_ptr<AvahiClient, Deleter<avahi_client_free>>;
using EntryGroupPtr = std::unique_ptr<AvahiEntryGroup, Deleter<avahi_entry_group_free>>;
using ServiceBrowserPtr = std::unique_ptr<AvahiServiceBrowser, Deleter<avahi_service_browser_free>>;
using ServiceResolverPtr =
    std::unique_ptr<AvahiServiceResolver, Deleter<avahi_service_resolver_free>>;
using RecordBrowserPtr = std::unique_ptr<AvahiRecordBrowser, Deleter<avahi_record_browser_free>>;
using StringListPtr = std::unique_ptr<AvahiStringList, Deleter<avahi_string_list_free>>;
// Strings Avahi allocates for us (avahi_alternative_service_name, ...).
using CharPtr = std::unique_ptr<char, Deleter<avahi_free>>;

} // namespace pigeon::avahi
