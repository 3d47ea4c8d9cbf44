#pragma once
// Randomness comes from libsodium, the one place end-to-end crypto lives.

#include <string>

namespace pigeon::crypto {

// Throws std::runtime_error if libsodium cannot initialise (no entropy source).
void Initialise();

// A fresh XEP-0359 origin-id: a random (version 4) UUID in its canonical
// lower-case text form. Globally unique without coordination.
std::string NewOriginId();

} // namespace pigeon::crypto
