#include "ssl/Socket.hxx"

#include <boost/asio/write.hpp>

#include <stdexcept>

namespace pigeon::ssl {
namespace asio = boost::asio;

Socket::Socket(asio::ip::tcp::socket plain) : plain_(std::move(plain))
{
}

Socket::Socket(std::unique_ptr<ssl::TlsStream> tls) : tls_(std::move(tls))
{
}

Socket::~Socket()
{
    Close();
}

void Socket::ReadSome(asio::mutable_buffer buffer, IoDone done)
{
    if (tls_)
        tls_->ReadSome(buffer, std::move(done));
    else
        plain_->async_read_some(buffer, std::move(done));
}

void Socket::Write(std::shared_ptr<const std::string> data, IoDone done)
{
    if (tls_) {
        tls_->Write(std::move(data), std::move(done));
        return;
    }
    const auto buffer = asio::buffer(*data);
    asio::async_write(*plain_, buffer,
                      [data = std::move(data), done = std::move(done)](
                          const boost::system::error_code& ec, std::size_t n) { done(ec, n); });
}

void Socket::StartTls(const std::string& domain, const ssl::TlsOptions& options,
                      ssl::TlsStream::HandshakeDone done)
{
    if (tls_)
        throw std::logic_error("the stream is under TLS already");
    tls_ = std::make_unique<ssl::TlsStream>(std::move(*plain_), domain, options);
    plain_.reset();
    tls_->Handshake(std::move(done));
}

void Socket::StartTls(const TlsKey& ours, TlsStream::Side side, const std::string& pin,
                      TlsStream::HandshakeDone done)
{
    if (tls_)
        throw std::logic_error("the stream is under TLS already");
    tls_ = std::make_unique<ssl::TlsStream>(std::move(*plain_), ours, side, pin);
    plain_.reset();
    tls_->Handshake(std::move(done));
}

void Socket::Close() noexcept
{
    if (tls_) {
        tls_->Close();
    } else if (plain_ && plain_->is_open()) {
        boost::system::error_code ignored;
        plain_->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        plain_->close(ignored);
    }
}

} // namespace pigeon::ssl
