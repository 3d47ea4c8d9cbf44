#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::xmpp {

// An XMPP address, localpart@domainpart/resourcepart, prepared as RFC 6122 and Prosody do,
// with libidn's stringprep profiles (lib/idn):
//  - every part at most 1023 bytes of valid UTF-8, before and after preparation; the localpart
//    and resourcepart are optional, but may not be empty when their '@' or '/' is present;
//  - no control characters (C0, DEL, C1) and no bidi controls (U+202E and the like) anywhere,
//    and no whitespace in the localpart or domainpart;
//  - the localpart has none of " & ' / : < > @ and is prepared with nodeprep (case-folded,
//    NFKC), the resourcepart with resourceprep (NFKC, case kept); both refuse what their
//    profile prohibits and text that breaks the stringprep bidi rules;
//  - the domainpart is an IPv6 literal in brackets (lowercased), or a name prepared with
//    nameprep whose dot-separated labels are letters, digits, '-' and '_' (non-ASCII labels
//    are checked in their IDNA ASCII form), 1..63 bytes, with no hyphen at either end; a
//    single trailing dot is removed.
// Parts are kept in their prepared form, so JIDs that prepare alike compare equal. Link-local
// identities (XEP-0174) such as "user@kramer-laptop" are ordinary JIDs here.
class Jid {
public:
    // Throws std::invalid_argument naming the rule the text breaks.
    static Jid Parse(std::string_view text);

    // nullopt where Parse would throw std::invalid_argument; may throw std::bad_alloc.
    static std::optional<Jid> TryParse(std::string_view text);

    std::string_view Local() const noexcept { return local_; }
    std::string_view Domain() const noexcept { return domain_; }
    std::string_view Resource() const noexcept { return resource_; }

    bool IsBare() const noexcept { return resource_.empty(); }

    // Both throw only std::bad_alloc.
    Jid Bare() const;
    std::string ToString() const;

    bool operator==(const Jid&) const = default;
    auto operator<=>(const Jid&) const = default;

private:
    Jid() = default;

    // Fills *this from text; returns what is wrong with it, empty when nothing is.
    std::string Assign(std::string_view text);

    std::string local_;
    std::string domain_;
    std::string resource_;
};

// The bare form of `jid` if it parses, else `jid` as it is: for comparing
// and recording what peers and servers send. Throws only std::bad_alloc.
std::string BareOf(std::string_view jid);

} // namespace pigeon::xmpp
