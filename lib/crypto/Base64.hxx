#pragma once
// Base64 as RFC 4648 section 4 defines it (standard alphabet, with padding):
// the one codec for the binary data XMPP carries as text (keys, signatures,
// sealed boxes, SASL exchanges, caps hashes). From libsodium.

#include <optional>
#include <string>
#include <string_view>

namespace pigeon::crypto {

std::string ToBase64(std::string_view bytes);

// What may stand between the characters of base64 text. XML character data
// may wrap; SASL data (RFC 6120 section 6.4.2) and SCRAM attributes (RFC 5802)
// are plain base64, in which whitespace is malformed.
enum class Base64Spaces { Skip, Refuse };

// The bytes, or nullopt for anything but canonical base64: characters outside
// the alphabet, missing or extra padding, bits left over in the last character.
std::optional<std::string> FromBase64(std::string_view text,
                                      Base64Spaces spaces = Base64Spaces::Skip);

} // namespace pigeon::crypto
