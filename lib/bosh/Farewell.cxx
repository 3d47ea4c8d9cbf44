#include "bosh/Farewell.hxx"

#include "util/Log.hxx"

namespace pigeon::bosh {

Farewell::Farewell(curl::Multi& multi, curl::RequestOptions terminate,
                   std::vector<std::unique_ptr<curl::Request>> earlier,
                   std::chrono::steady_clock::time_point not_before,
                   std::function<void(bool answered)> done)
    : multi_(multi), terminate_(std::move(terminate)), earlier_(std::move(earlier)),
      done_(std::move(done)), timer_(multi.IoContext(), not_before)
{
    // Also when not_before has passed: done must not be called from here.
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            Send();
    });
}

Farewell::~Farewell() = default;

void Farewell::Send() noexcept
{
    try {
        request_ = std::make_unique<curl::Request>(multi_, terminate_, [this](curl::Response r) {
            if (!r.Ok())
                log::Info("bosh", "terminate request failed: " +
                                      (r.error ? r.error_message
                                               : "HTTP status " + std::to_string(r.status)));
            Finish(r.Ok());
        });
    } catch (const std::exception& e) {
        log::Warning("bosh", std::string("cannot send the terminate request: ") + e.what());
        Finish(false);
    }
}

void Farewell::Finish(bool answered) noexcept
{
    earlier_.clear();
    auto done = std::move(done_);
    done_ = nullptr;
    if (!done)
        return;
    try {
        done(answered); // may destroy us
    } catch (const std::exception& e) {
        log::Error("bosh", std::string("terminate completion failed: ") + e.what());
    } catch (...) {
        log::Error("bosh", "terminate completion failed");
    }
}

} // namespace pigeon::bosh
