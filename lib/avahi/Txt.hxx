#pragma once
// TXT records between our map and Avahi's string lists.

#include "avahi/Handles.hxx"
#include "avahi/ServiceInfo.hxx"

namespace pigeon::avahi {

// Throws std::system_error (AVAHI_ERR_NO_MEMORY).
StringListPtr ToStringList(const TxtRecord& txt);

// Leaves out the cookie avahi-daemon adds to its own clients' records.
TxtRecord FromStringList(AvahiStringList* list);

} // namespace pigeon::avahi
