#pragma once
// The end of one BOSH session (XEP-0124 section 13): the terminating request,
// carrying the session's last elements (an unavailable presence), sent only
// once every earlier request of the session has had time to reach the
// connection manager. A terminate that overtakes a request below it is not
// processed: ejabberd holds it back until the session times out, Prosody
// refuses it, and either way the server keeps a dead session for a minute or
// more, and what is routed to it meanwhile is lost. Those earlier requests
// stay open until the terminate is answered, so that none is cancelled on its
// way. It outlives the session it ends.

#include "curl/Multi.hxx"
#include "curl/Request.hxx"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace pigeon::bosh {

class Farewell {
public:
    // Sends `terminate` at not_before (at once if that has passed). done(answered) is called
    // once, from the loop, when the request is answered (true: HTTP 200, the server processed
    // it) or failed; never from the constructor, never after destruction. It may destroy the
    // Farewell. Throws std::bad_alloc.
    Farewell(curl::Multi& multi, curl::RequestOptions terminate,
             std::vector<std::unique_ptr<curl::Request>> earlier,
             std::chrono::steady_clock::time_point not_before,
             std::function<void(bool answered)> done);
    // Drops what is still open; done is not called.
    ~Farewell();
    Farewell(const Farewell&) = delete;
    Farewell& operator=(const Farewell&) = delete;

private:
    void Send() noexcept;
    void Finish(bool answered) noexcept;

    curl::Multi& multi_;
    curl::RequestOptions terminate_;
    std::vector<std::unique_ptr<curl::Request>> earlier_;
    std::function<void(bool)> done_;
    boost::asio::steady_timer timer_;
    std::unique_ptr<curl::Request> request_;
};

} // namespace pigeon::bosh
