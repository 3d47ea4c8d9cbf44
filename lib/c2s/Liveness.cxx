#include "c2s/Liveness.hxx"

namespace pigeon::c2s {

Liveness::Liveness(boost::asio::io_context& io, std::chrono::seconds keepalive,
                   std::chrono::seconds ack_timeout, Hooks hooks)
    : keepalive_(keepalive), ack_timeout_(ack_timeout), hooks_(std::move(hooks)),
      keepalive_timer_(io), answer_timer_(io)
{
}

void Liveness::Watch() noexcept
{
    waiting_ = false;
    answer_timer_.cancel();
    ScheduleKeepalive();
}

void Liveness::Stop() noexcept
{
    waiting_ = false;
    keepalive_timer_.cancel();
    answer_timer_.cancel();
}

void Liveness::ScheduleKeepalive() noexcept
{
    keepalive_timer_.expires_at(hooks_.last_received() + keepalive_);
    keepalive_timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (ec || alive.Gone())
            return;
        if (Clock::now() - hooks_.last_received() >= keepalive_) {
            hooks_.ask(true);
            if (alive.Gone())
                return;
        }
        ScheduleKeepalive();
    });
}

void Liveness::Asked() noexcept
{
    if (waiting_)
        return; // the earlier question's deadline stands
    waiting_ = true;
    asked_at_ = Clock::now();
    answer_timer_.expires_after(ack_timeout_);
    answer_timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (!ec && !alive.Gone())
            OnAnswerDue();
    });
}

void Liveness::OnAnswerDue() noexcept
{
    waiting_ = false;
    if (hooks_.last_received() < asked_at_) {
        hooks_.dead("no answer from the server for " + std::to_string(ack_timeout_.count()) + " s");
        return;
    }
    // It spoke since: alive. What is still unacknowledged is asked about again.
    hooks_.ask(false);
}

} // namespace pigeon::c2s
