#pragma once
// Our long-lived TLS key and its self-signed certificate, for the encrypted
// link-local streams between pigeons. Nobody vouches for it: a neighbour
// trusts it because its fingerprint (the pin) is in our TXT record. Kept in
// the data dir, made on first start, and the same on every start after, so
// the pin stays the same. OpenSSL stays behind this header.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace pigeon::ssl {

class TlsKey {
public:
    // Reads `key_file` and `certificate_file` (PEM), or makes both if neither
    // exists. Throws std::runtime_error if only one exists, if they do not
    // belong together, or if they cannot be read or written.
    static TlsKey LoadOrCreate(const std::filesystem::path& key_file,
                               const std::filesystem::path& certificate_file);

    ~TlsKey();
    TlsKey(TlsKey&&) noexcept;
    TlsKey& operator=(TlsKey&&) noexcept;

    // What we publish: the SHA-256 of the certificate's SubjectPublicKeyInfo, in hex.
    const std::string& Pin() const noexcept { return pin_; }

    struct Impl;
    std::shared_ptr<Impl> Shared() const noexcept { return impl_; } // for TlsStream

private:
    TlsKey(std::shared_ptr<Impl> impl, std::string pin);

    std::shared_ptr<Impl> impl_; // shared with the streams that use it
    std::string pin_;
};

// The pin of a PEM certificate, as Pin() computes it. Throws
// std::runtime_error if `pem` is not a certificate.
std::string PinOfCertificate(std::string_view pem);

// Whether `text` has the form of a pin (64 lowercase hex digits): a TXT value
// that does not is no pin at all.
bool IsPin(std::string_view text) noexcept;

} // namespace pigeon::ssl
