#pragma once
// The hashes XMPP itself needs (XEP-0115 caps hashes, SCRAM), from OpenSSL,
// the one place it is used. Randomness, base64 and end-to-end crypto are
// lib/crypto's (libsodium).

#include <string>
#include <string_view>

namespace pigeon::ssl {

enum class Hash { Sha1, Sha256 };

// Raw digest bytes. Throws std::runtime_error if OpenSSL fails.
std::string Digest(Hash hash, std::string_view data);
std::string Hmac(Hash hash, std::string_view key, std::string_view data);
// PBKDF2 with HMAC(hash), output as long as the hash. Throws std::runtime_error.
std::string Pbkdf2(Hash hash, std::string_view password, std::string_view salt,
                   unsigned iterations);

} // namespace pigeon::ssl
