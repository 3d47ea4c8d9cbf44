#include "link/Dialer.hxx"

#include "net/SourceAddress.hxx"
#include "util/Log.hxx"

namespace pigeon::link {
namespace asio = boost::asio;
using asio::ip::tcp;

Dialer::Dialer(asio::io_context& io, std::vector<avahi::Endpoint> endpoints,
               std::chrono::milliseconds per_attempt, Done done)
    : socket_(io), timer_(io), endpoints_(std::move(endpoints)), per_attempt_(per_attempt),
      done_(std::move(done))
{
    // From the loop, so that `done` never runs inside the caller.
    asio::post(io, [this, alive = alive_.Watch()] {
        if (!alive.Gone())
            Next();
    });
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
    timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code timer_ec) {
        if (timer_ec || alive.Gone())
            return;
        boost::system::error_code ignored;
        socket_.cancel(ignored); // the connect completes as aborted
    });
    socket_.async_connect(remote, [this, alive = alive_.Watch(),
                                   remote](boost::system::error_code connect_ec) {
        if (alive.Gone() || !done_)
            return;
        timer_.cancel();
        if (!connect_ec) {
            Finish({});
            return;
        }
        NoteFailure(remote, connect_ec == asio::error::operation_aborted ? std::string("timed out")
                                                                         : connect_ec.message());
        Next();
    });
}

void Dialer::NoteFailure(const tcp::endpoint& remote, const std::string& why)
{
    errors_ += (errors_.empty() ? "" : "; ") + remote.address().to_string() + ": " + why;
}

// Touches nothing after `done`, which may destroy us.
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
