#pragma once
// TXT records between our map and Avahi's string lists.

#include "avahi/Handles.hxx"
#include "avahi/ServiceInfo.hxx"

namespace pigeon::avahi {

// Throws std::system_error (AVAHI_ERR_NO_MEMORY).
StringListPtr ToStringList(const TxtRecord& txt);

// Leaves out the cookie avahi-daemon adds to its own clients' records, keys
// that are empty, longer than 64 bytes or not printable ASCII, and every
// string after the first 64 (RFC 6763 section 6: a key's first occurrence
// counts). Values are taken as bytes; avahi has already bounded each string
// to 255 bytes. Throws std::bad_alloc only.
TxtRecord FromStringList(AvahiStringList* list);

} // namespace pigeon::avahi
