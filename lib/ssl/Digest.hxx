#pragma once
// The hashes XMPP itself needs (XEP-0115 caps hashes), from OpenSSL, the one
// place it is used. Randomness, base64 and end-to-end crypto are lib/crypto's
// (libsodium); SASL is lib/sasl's (GNU SASL).

#include <string>
#include <string_view>

namespace pigeon::ssl {

enum class Hash { Sha1, Sha256 };

// Raw digest bytes. Throws std::runtime_error if OpenSSL fails.
std::string Digest(Hash hash, std::string_view data);

} // namespace pigeon::ssl
