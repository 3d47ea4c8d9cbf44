#pragma once
// A libcurl multi handle joined to the daemon's one Asio loop: curl tells us
// which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it
// (CURLMOPT_TIMERFUNCTION); readiness and timer expiry go back through
// curl_multi_socket_action. No threads and no polling. The sockets stay
// curl's: they are watched, never closed, by Asio.

#include <boost/asio/io_context.hpp>

#include <memory>

namespace pigeon::curl {

class Multi {
public:
    // A transfer added with Add learns how it ended here, called from the loop once curl
    // has let go of the handle. The implementation may destroy itself (and its easy handle)
    // in this call.
    class Transfer {
    public:
        // curl_code is the transfer's CURLcode.
        virtual void OnTransferDone(int curl_code) noexcept = 0;

    protected:
        ~Transfer() = default;
    };

    // Initialises libcurl once per process. Throws std::system_error if curl cannot be
    // initialised or the multi handle set up, std::bad_alloc if it cannot be created.
    explicit Multi(boost::asio::io_context& io);
    // Every transfer must have been removed (Request does that when destroyed).
    ~Multi();
    Multi(const Multi&) = delete;
    Multi& operator=(const Multi&) = delete;

    boost::asio::io_context& IoContext() const noexcept;

    // easy is a CURL* (void in curl's headers). Throws std::system_error if curl refuses it.
    void Add(void* easy, Transfer& transfer);
    // Stops a running transfer without calling its Transfer. Harmless after completion.
    void Remove(void* easy) noexcept;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace pigeon::curl
