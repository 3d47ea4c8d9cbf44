#include "uplink/LoginRetry.hxx"

#include "util/Log.hxx"

#include <algorithm>
#include <string>

namespace pigeon::uplink {
namespace {

constexpr std::chrono::seconds kFirstDelay{60};
constexpr std::chrono::seconds kMaxDelay{3600};

} // namespace

LoginRetry::LoginRetry(boost::asio::io_context& io, std::filesystem::path password_file,
                       Retry retry)
    : io_(io), timer_(io), delay_(kFirstDelay), password_file_(std::move(password_file)),
      retry_(std::move(retry))
{
}

void LoginRetry::Schedule() noexcept
{
    if (!watch_ && !password_file_.empty()) {
        try {
            watch_ = std::make_unique<FileWatcher>(io_, password_file_,
                                                   [this] { retry_("the password file changed"); });
        } catch (const std::exception& e) {
            log::Warning("uplink", std::string("not watching the password file: ") + e.what());
        }
    }
    log::Notice("uplink", "the server refused our credentials; trying again in " +
                              std::to_string(delay_.count()) + " s" +
                              (watch_ ? " or when the password file changes" : ""));
    timer_.expires_after(delay_);
    delay_ = std::min(delay_ * 2, kMaxDelay);
    timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (!ec && !alive.Gone())
            retry_("retrying");
    });
}

void LoginRetry::Cancel() noexcept
{
    timer_.cancel();
}

void LoginRetry::Reset() noexcept
{
    delay_ = kFirstDelay;
    timer_.cancel();
    watch_.reset();
}

} // namespace pigeon::uplink
