#include "link/Dialer.hxx"

#include "net/SourceAddress.hxx"
#include "util/Log.hxx"

namespace pigeon::link {
namespace asio = boost::asio;
using asio::ip::tcp;

std::shared_ptr<Dialer> Dialer::Start(asio::io_context& io, std::vector<avahi::Endpoint> endpoints,
                                      std::chrono::milliseconds per_attempt, Done done)
{
    auto dialer = std::make_shared<Dialer>(io, std::move(endpoints), per_attempt, std::move(done));
    // From the loop, so that `done` never runs inside the caller.
    asio::post(io, [dialer] { dialer->Next(); });
    return dialer;
}

Dialer::Dialer(asio::io_context& io, std::vector<avahi::Endpoint> endpoints,
               std::chrono::milliseconds per_attempt, Done done)
    : socket_(io), timer_(io), endpoints_(std::move(endpoints)), per_attempt_(per_attempt),
      done_(std::move(done))
{
}

void Dialer::Cancel() noexcept
{
    done_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
}

void Dialer::Next() noexcept
{
    if (!done_)
        return;
    if (next_ == endpoints_.size()) {
        Finish(errors_.empty() ? "no address to dial" : errors_);
        return;
    }
    const auto& endpoint = endpoints_[next_++];
    const tcp::endpoint remote(endpoint.address, endpoint.port);
    boost::system::error_code ec;
    socket_.close(ec);
    socket_.open(remote.protocol(), ec);
    if (ec) {
        NoteFailure(remote, ec.message());
        Next();
        return;
    }
    if (const auto source = net::SourceAddressFor(endpoint.interface, endpoint.address)) {
        socket_.bind(tcp::endpoint(*source, 0), ec);
        if (ec) // the address just went away: let the kernel choose
            log::Debug("link", "cannot dial from " + source->to_string() + ": " + ec.message());
    }
    timer_.expires_after(per_attempt_);
    timer_.async_wait([weak = weak_from_this()](boost::system::error_code timer_ec) {
        if (auto self = weak.lock(); self && !timer_ec) {
            boost::system::error_code ignored;
            self->socket_.cancel(ignored); // the connect completes as aborted
        }
    });
    socket_.async_connect(
        remote, [self = shared_from_this(), remote](boost::system::error_code connect_ec) {
            if (!self->done_)
                return;
            self->timer_.cancel();
            if (!connect_ec) {
                self->Finish({});
                return;
            }
            self->NoteFailure(remote, connect_ec == asio::error::operation_aborted
                                          ? std::string("timed out")
                                          : connect_ec.message());
            self->Next();
        });
}

void Dialer::NoteFailure(const tcp::endpoint& remote, const std::string& why)
{
    errors_ += (errors_.empty() ? "" : "; ") + remote.address().to_string() + ": " + why;
}

void Dialer::Finish(const std::string& error) noexcept
{
    auto done = std::move(done_);
    done_ = nullptr;
    boost::system::error_code ec;
    const auto used = error.empty() ? socket_.remote_endpoint(ec) : tcp::endpoint();
    if (error.empty() && ec) { // reset between connect and now
        done(ec.message(), tcp::socket(socket_.get_executor()), {});
        return;
    }
    done(error, std::move(socket_), used);
}

} // namespace pigeon::link
