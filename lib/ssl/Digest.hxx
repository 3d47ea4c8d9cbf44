#pragma once
// The cryptographic primitives XMPP itself needs (XEP-0115 caps hashes, SCRAM),
// from OpenSSL, the one place it is used. End-to-end crypto is lib/crypto's.

#include <string>
#include <string_view>
#include <vector>

namespace pigeon::ssl {

enum class Hash { Sha1, Sha256 };

// Raw digest bytes. Throws std::runtime_error if OpenSSL fails.
std::string Digest(Hash hash, std::string_view data);
std::string Hmac(Hash hash, std::string_view key, std::string_view data);
// PBKDF2 with HMAC(hash), output as long as the hash. Throws std::runtime_error.
std::string Pbkdf2(Hash hash, std::string_view password, std::string_view salt,
                   unsigned iterations);
// Cryptographically random bytes. Throws std::runtime_error.
std::string RandomBytes(std::size_t count);

std::string Base64Encode(std::string_view data);
// Throws std::invalid_argument on malformed input.
std::string Base64Decode(std::string_view text);

} // namespace pigeon::ssl
