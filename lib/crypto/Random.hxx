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

// A fresh XEP-0359 origin-id: a time-ordered (version 7) UUID in its
// canonical lower-case text form, 74 random bits after the time in ms.
// Globally unique without coordination; in the order they were made, so
// that the store's indexes on ids grow at their end instead of everywhere
// (a carrier taking a batch touched a page of its id index for each copy).
// Its random end is what lists show (pigeonctl).
std::string NewOriginId();
// The same, made at `unix_ms` (for tests).
std::string OriginIdAt(std::uint64_t unix_ms);

} // namespace pigeon::crypto
