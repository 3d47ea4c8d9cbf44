#include "c2s/Reachability.hxx"

#include "util/Log.hxx"

#include <boost/asio/post.hpp>

namespace pigeon::c2s {

Reachability::Reachability(boost::asio::io_context& io, ConnectOptions options, Done done)
    : io_(io), domain_(options.domain), done_(std::move(done)), timer_(io)
{
    timer_.expires_after(options.attempt_timeout * 2);
    timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (!ec && !alive.Gone())
            Finish("no answer from the server of " + domain_ + " in time");
    });
    connector_ = std::make_unique<Connector>(
        io, std::move(options), [this](auto outcome) { OnConnected(std::move(outcome)); });
}

Reachability::~Reachability() = default;

void Reachability::OnConnected(Connector::Outcome outcome)
{
    // Not destroyed here: we are inside its resolver's callback.
    boost::asio::post(io_, [connector = std::move(connector_)] {});
    if (outcome.tls_refused) {
        Finish({}); // it answered; the session will say what is wrong with it
        return;
    }
    if (!outcome.socket) {
        Finish(outcome.error);
        return;
    }
    XmlStream::Handler& handler = *this; // a private base: convert here
    stream_ = std::make_unique<XmlStream>(std::move(outcome.socket), handler);
    try {
        stream_->Open(domain_);
    } catch (const std::exception& e) {
        Finish(e.what());
    }
}

void Reachability::OnStreamHeader(const xml::StreamHeader&) noexcept
{
    Finish({});
}

void Reachability::OnStreamElement(xml::Element) noexcept
{
}

void Reachability::OnStreamEnd(const std::string& reason) noexcept
{
    Finish("the server of " + domain_ + " did not answer with a stream: " + reason);
}

void Reachability::Finish(const std::string& error) noexcept
{
    if (!done_)
        return;
    timer_.cancel();
    if (stream_)
        stream_->Close();
    const auto done = std::move(done_);
    done_ = nullptr;
    try {
        done(error); // may destroy us
    } catch (const std::exception& e) {
        log::Error("c2s", std::string("probe completion failed: ") + e.what());
    }
}

} // namespace pigeon::c2s
