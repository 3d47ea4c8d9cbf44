#pragma once
// The stringprep profiles of RFC 3920 (nodeprep, resourceprep) and RFC 3491
// (nameprep), and IDNA's ToASCII for one domain label, through libidn: what
// Prosody prepares JIDs with. Unassigned code points are let through, as for
// stored strings in RFC 3454 section 7 they would not be; the profiles
// themselves refuse prohibited characters (including the bidi overrides of
// table C.8) and text that breaks the bidi rules of section 6.
//
// Every function takes UTF-8 and returns UTF-8 (ASCII for ToAscii). Each
// throws std::system_error in StringprepCategory() or IdnaCategory() when
// the text cannot be prepared, std::invalid_argument for a NUL byte (libidn
// reads NUL-terminated strings), std::bad_alloc.

#include <string>
#include <string_view>

namespace pigeon::idn {

// Case-folded, normalized (NFKC) localpart.
std::string Nodeprep(std::string_view text);

// Case-folded, normalized domain name (or a label of one).
std::string Nameprep(std::string_view text);

// Normalized resourcepart; case is kept.
std::string Resourceprep(std::string_view text);

// The ASCII-compatible form of one domain label ("xn--..." for a label with
// non-ASCII characters), nameprep applied.
std::string LabelToAscii(std::string_view label);

} // namespace pigeon::idn
