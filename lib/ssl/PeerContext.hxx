#pragma once
// Inside lib/ssl only: what TlsKey shares with the streams that use it.

#include "ssl/TlsKey.hxx"

#include <boost/asio/ssl/context.hpp>

#include <openssl/x509.h>

#include <string>

namespace pigeon::ssl {

struct TlsKey::Impl {
    // TLS 1.3 only (both ends are pigeons), our certificate on both sides,
    // and the peer's asked for; checked against the pin, not against a CA.
    boost::asio::ssl::context context{boost::asio::ssl::context::tls};
};

// The pin of a certificate. Throws std::runtime_error if OpenSSL cannot read its key.
std::string PinOfX509(X509* certificate);

} // namespace pigeon::ssl
