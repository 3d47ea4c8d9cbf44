// A TXT record as it comes off the wire (RFC 6763 section 6: length-prefixed
// strings), through Avahi's parser and ours: what we keep is bounded, and
// goes back into a record that reads the same.

#include "FuzzTarget.hxx"
#include "avahi/Txt.hxx"

#include <algorithm>

using namespace pigeon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    AvahiStringList* parsed = nullptr;
    if (avahi_string_list_parse(data, size, &parsed) < 0)
        return 0;
    const avahi::StringListPtr list(parsed);
    const avahi::TxtRecord txt = avahi::FromStringList(list.get());
    fuzz::Expect(txt.size() <= 64);
    // Values holding NUL cannot go back through Avahi's C strings.
    const bool has_nul = std::any_of(txt.begin(), txt.end(), [](const auto& pair) {
        return pair.second.find('\0') != std::string::npos;
    });
    if (!has_nul) {
        const avahi::StringListPtr again = avahi::ToStringList(txt);
        fuzz::Expect(avahi::FromStringList(again.get()) == txt);
    }
    return 0;
}
