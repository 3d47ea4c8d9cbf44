#pragma once
// Our end-to-end identity: one libsodium Ed25519 key pair per agent. It signs
// what carriers hold for us; its X25519 twin (derived, not stored) opens what
// others sealed for us. The public half is published on our server.

#include "crypto/Base64.hxx"

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::crypto {

using PublicKey = std::array<unsigned char, 32>;

class Identity {
public:
    // Reads the 32-byte seed in `file`, or creates the file (mode 0600) with a
    // fresh one. Throws std::system_error if it cannot be read or written,
    // std::runtime_error if it is not a seed (wrong size).
    static Identity LoadOrCreate(const std::filesystem::path& file);
    // A key pair that lives in memory only (tests).
    static Identity Generate();

    Identity(const Identity&) = delete;
    Identity& operator=(const Identity&) = delete;
    Identity(Identity&& other) noexcept;
    Identity& operator=(Identity&&) = delete;
    ~Identity();

    const PublicKey& Public() const noexcept { return public_; }
    // A detached 64-byte Ed25519 signature of `data`.
    std::string Sign(std::string_view data) const;
    // Opens a box sealed to our key; nullopt if it was not, or was altered.
    std::optional<std::string> Open(std::string_view sealed) const;

private:
    explicit Identity(const unsigned char* seed);

    PublicKey public_{};
    std::array<unsigned char, 64> secret_{};
};

// The size of an Ed25519 signature, as Sign makes it and Verify takes it.
inline constexpr std::size_t kSignatureBytes = 64;

// True if `signature` is `key`'s signature of `data`.
bool Verify(const PublicKey& key, std::string_view data, std::string_view signature) noexcept;
// Anonymous public-key encryption to `recipient` (crypto_box_seal): only its
// owner can open it. Throws std::invalid_argument for a key that is not a
// valid Ed25519 point.
std::string Seal(const PublicKey& recipient, std::string_view plaintext);

// A public key as base64 text, and back: nullopt for anything but a key.
std::string ToBase64(const PublicKey& key);
std::optional<PublicKey> ParsePublicKey(std::string_view text);
// What two people read to each other to compare a key: a 128-bit BLAKE2b
// hash of it in hex, in groups of four ("3f2a 9c01 ...").
std::string Fingerprint(const PublicKey& key);
// What tells two byte strings apart: a 256-bit BLAKE2b hash of `data`, in hex.
std::string Digest(std::string_view data);

} // namespace pigeon::crypto
