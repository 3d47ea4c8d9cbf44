#include "avahi/Txt.hxx"

#include "avahi/Error.hxx"

#include <avahi-common/error.h>

#include <algorithm>
#include <string_view>

namespace pigeon::avahi {
namespace {

constexpr std::string_view kCookieKey = "org.freedesktop.Avahi.cookie";

// A neighbour's record is read, kept and shown; XEP-0174 uses about fifteen keys. Whatever is
// beyond these is dropped, so a record built to be large costs little.
constexpr std::size_t kMaxEntries = 64;
constexpr std::size_t kMaxKeyBytes = 64;

// RFC 6763 section 6.4: printable US-ASCII other than '=', at least one character.
bool IsValidKey(std::string_view key) noexcept
{
    return !key.empty() && key.size() <= kMaxKeyBytes &&
           std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

} // namespace

StringListPtr ToStringList(const TxtRecord& txt)
{
    // Avahi prepends; going backwards keeps the map's order on the wire.
    StringListPtr list;
    for (auto i = txt.rbegin(); i != txt.rend(); ++i) {
        auto* grown = avahi_string_list_add_pair(list.get(), i->first.c_str(), i->second.c_str());
        if (grown == nullptr)
            throw MakeError(AVAHI_ERR_NO_MEMORY, "cannot build TXT record");
        (void)list.release();
        list.reset(grown);
    }
    return list;
}

TxtRecord FromStringList(AvahiStringList* list)
{
    TxtRecord txt;
    std::size_t seen = 0;
    for (auto* i = list; i != nullptr && seen < kMaxEntries;
         i = avahi_string_list_get_next(i), ++seen) {
        char* key = nullptr;
        char* value = nullptr;
        std::size_t size = 0;
        if (avahi_string_list_get_pair(i, &key, &value, &size) < 0)
            continue;
        const CharPtr key_owner(key);
        const CharPtr value_owner(value);
        if (key == nullptr || kCookieKey == key || !IsValidKey(key))
            continue;
        // try_emplace: the first occurrence of a key counts (RFC 6763 s6.4).
        txt.try_emplace(key, value != nullptr ? std::string(value, size) : std::string());
    }
    return txt;
}

} // namespace pigeon::avahi
