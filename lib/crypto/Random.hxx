#pragma once
// Randomness comes from libsodium, the one place end-to-end crypto lives.

#include <cstddef>
#include <cstdint>
#include <string>

namespace pigeon::crypto {

// Throws std::runtime_error if libsodium cannot initialise (no entropy source).
void Initialise();

// Cryptographically random bytes: the one random source (session ids, BOSH
// rids, SCRAM nonces). Throws std::runtime_error like Initialise.
std::string RandomBytes(std::size_t count);
// A uniformly drawn number below bound (> 0), e.g. to spread retries apart.
// Throws std::runtime_error like Initialise.
std::uint32_t RandomBelow(std::uint32_t bound);

// A fresh XEP-0359 origin-id: a random (version 4) UUID in its canonical
// lower-case text form. Globally unique without coordination.
std::string NewOriginId();

} // namespace pigeon::crypto
