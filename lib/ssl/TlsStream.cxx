#include "ssl/TlsStream.hxx"

#include "ssl/PeerContext.hxx"
#include "util/Log.hxx"

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace pigeon::ssl {
namespace asio = boost::asio;

namespace {

constexpr std::string_view kLog = "tls";

// What a failed verification means, in words a user can act on.
std::string Refusal(long result, const std::string& domain)
{
    switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
        return "the server's certificate is not for " + domain + " (wrong name)";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "the server's certificate has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "the server's certificate is not valid yet";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
        return std::string(
                   "the server's certificate is not from a trusted authority (untrusted: ") +
               X509_verify_cert_error_string(result) + ")";
    default:
        return std::string("the server's certificate was refused: ") +
               X509_verify_cert_error_string(result);
    }
}

} // namespace

struct TlsStream::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::ip::tcp::socket socket, const std::string& name, const TlsOptions& tls)
        : context(std::make_shared<asio::ssl::context>(MakeContext(tls))), domain(name),
          options(tls), stream(std::move(socket), *context)
    {
    }
    // Between pigeons: the context is our key's, shared.
    Impl(asio::ip::tcp::socket socket, std::shared_ptr<TlsKey::Impl> key, Side our_side,
         std::string peer_pin)
        : key(std::move(key)), side(our_side), pin(std::move(peer_pin)),
          stream(std::move(socket), this->key->context)
    {
    }

    // TLS 1.2 at least; the system's trust anchors and the extra one. A new context per
    // connection: the trust store on disk may have changed, and no session is ever resumed.
    static asio::ssl::context MakeContext(const TlsOptions& options)
    {
        asio::ssl::context context(asio::ssl::context::tls_client);
        context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
        context.set_default_verify_paths();
        if (!options.ca_file.empty())
            context.load_verify_file(options.ca_file);
        return context;
    }

    void Prepare()
    {
        SSL* ssl = stream.native_handle();
        if (SSL_set_tlsext_host_name(ssl, domain.c_str()) != 1 ||
            SSL_set1_host(ssl, domain.c_str()) != 1)
            throw std::runtime_error("cannot set the TLS host name " + domain);
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        // Verification runs either way, so that its verdict can be told; insecure only lets
        // the handshake go on whatever it says.
        stream.set_verify_mode(options.insecure ? asio::ssl::verify_none : asio::ssl::verify_peer);
    }

    void OnHandshake(const boost::system::error_code& ec, const HandshakeDone& done)
    {
        if (closed) {
            done("the connection was closed", false);
            return;
        }
        if (key) {
            const std::string refusal = ec ? std::string() : CheckPin();
            verified = !ec && refusal.empty();
            if (ec)
                done("TLS handshake failed: " + ec.message(), false);
            else
                done(refusal, !refusal.empty());
            return;
        }
        const long result = SSL_get_verify_result(stream.native_handle());
        if (ec) {
            if (result != X509_V_OK && !options.insecure)
                done(Refusal(result, domain), true);
            else
                done("TLS handshake failed: " + ec.message(), false);
            return;
        }
        verified = result == X509_V_OK;
        if (!verified)
            log::Warning(kLog, "tls-insecure is set: accepting a certificate that fails "
                               "verification: " +
                                   Refusal(result, domain));
        done({}, false);
    }

    // Whether the peer's certificate has the pin it announced; an error if not.
    std::string CheckPin()
    {
        X509* certificate = SSL_get0_peer_certificate(stream.native_handle());
        if (certificate == nullptr)
            return "the peer showed no certificate";
        const std::string shown = PinOfX509(certificate);
        if (shown != pin)
            return "the peer's TLS key " + shown.substr(0, 16) +
                   "... is not the one it announces (pin " + pin.substr(0, 16) + "...)";
        return {};
    }

    std::shared_ptr<asio::ssl::context> context; // a c2s client's own
    std::shared_ptr<TlsKey::Impl> key;           // between pigeons: ours
    Side side = Side::Client;
    std::string pin; // between pigeons: the peer's
    std::string domain;
    TlsOptions options;
    asio::ssl::stream<asio::ip::tcp::socket> stream;
    bool verified = false;
    bool closed = false; // by Close: a handshake still running has failed
};

TlsStream::TlsStream(asio::ip::tcp::socket socket, const std::string& domain,
                     const TlsOptions& options)
    : impl_(std::make_shared<Impl>(std::move(socket), domain, options))
{
    impl_->Prepare();
}

TlsStream::TlsStream(asio::ip::tcp::socket socket, const TlsKey& ours, Side side, std::string pin)
    : impl_(std::make_shared<Impl>(std::move(socket), ours.Shared(), side, std::move(pin)))
{
}

TlsStream::~TlsStream()
{
    Close();
}

void TlsStream::Handshake(HandshakeDone done)
{
    const auto side = impl_->side == Side::Server ? asio::ssl::stream_base::server
                                                  : asio::ssl::stream_base::client;
    // The handler holds the stream, as ReadSome's and Write's do: a step of the handshake
    // whose I/O had completed when the TlsStream went still runs, into OpenSSL's state.
    impl_->stream.async_handshake(
        side, [impl = impl_, done = std::move(done)](const boost::system::error_code& ec) {
            impl->OnHandshake(ec, done);
        });
}

// The stream lives until the operations on it have completed: the handlers hold it.
void TlsStream::ReadSome(asio::mutable_buffer buffer, IoDone done)
{
    impl_->stream.async_read_some(
        buffer, [impl = impl_, done = std::move(done)](const boost::system::error_code& ec,
                                                       std::size_t n) { done(ec, n); });
}

void TlsStream::Write(std::shared_ptr<const std::string> data, IoDone done)
{
    asio::async_write(impl_->stream, asio::buffer(*data),
                      [impl = impl_, data, done = std::move(done)](
                          const boost::system::error_code& ec, std::size_t n) { done(ec, n); });
}

void TlsStream::Close() noexcept
{
    // No close_notify: SSL_shutdown under the engine's running operations would confuse
    // them, and the XMPP stream has said goodbye already (</stream:stream>).
    impl_->closed = true;
    boost::system::error_code ignored;
    impl_->stream.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    impl_->stream.next_layer().close(ignored);
}

bool TlsStream::Verified() const noexcept
{
    return impl_->verified;
}

std::string TlsStream::Version() const
{
    return SSL_get_version(impl_->stream.native_handle());
}

std::optional<TlsStream::Binding> TlsStream::ChannelBinding() const
{
    SSL* ssl = impl_->stream.native_handle();
    if (SSL_version(ssl) >= TLS1_3_VERSION) {
        static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
        std::string data(32, '\0');
        if (SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(data.data()),
                                       data.size(), kLabel, sizeof kLabel - 1, nullptr, 0, 0) != 1)
            return std::nullopt;
        return Binding{true, std::move(data)};
    }
    // tls-unique: the first Finished message of the handshake, ours in a full handshake (a
    // new context per connection never resumes).
    if (SSL_session_reused(ssl))
        return std::nullopt;
    std::string data(EVP_MAX_MD_SIZE, '\0');
    const std::size_t size = SSL_get_finished(ssl, data.data(), data.size());
    if (size == 0 || size > data.size())
        return std::nullopt;
    data.resize(size);
    return Binding{false, std::move(data)};
}

} // namespace pigeon::ssl
