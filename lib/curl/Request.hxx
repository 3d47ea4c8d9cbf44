#pragma once
// One asynchronous HTTP(S) request on a Multi: GET or POST, a total timeout,
// no redirects unless asked, a cap on the response size. The outcome comes
// back once, through a callback run from the loop.

#include "curl/Multi.hxx"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace pigeon::curl {

enum class Method { Get, Post };

struct RequestOptions {
    std::string url; // http:// or https:// only
    Method method = Method::Get;
    std::string body;                          // Post only
    std::string content_type;                  // Post only; sent as Content-Type
    std::vector<std::string> headers;          // extra "Name: value" lines
    std::chrono::milliseconds timeout{30'000}; // the whole exchange
    std::chrono::milliseconds connect_timeout{10'000};
    bool follow_redirects = false;
    // Redirects may not leave https (when the URL is https): a downgrade
    // would let anyone on the path answer in the server's name.
    bool redirects_keep_https = true;
    // false ignores http_proxy and friends: the request goes straight to the host.
    bool use_environment_proxy = true;
    std::size_t max_response_bytes = 1 << 20;
};

struct Response {
    // The HTTP status of the response, 0 when none arrived.
    long status = 0;
    std::string body;
    std::string content_type;
    // A transport failure (EasyCategory: refused, timed out, too large, TLS...); empty when
    // a complete response arrived, whatever its status.
    std::error_code error;
    // curl's detail on error, e.g. "Failed to connect to 127.0.0.1 port 5280".
    std::string error_message;
    // The request went out on a connection to the server (whatever came back, if anything).
    bool sent = false;
    // The error is the timeout, after the request was sent: it may have reached the server,
    // which did not answer in time. (A connection that timed out sent nothing.)
    bool timed_out = false;

    bool Ok() const noexcept { return !error && status >= 200 && status < 300; }
};

class Request {
public:
    using Callback = std::function<void(Response)>;

    // Starts the request. Never throws anything but std::bad_alloc: a request curl refuses
    // to set up fails through the callback like any other, from the loop, never from here.
    // The callback is called exactly once unless the Request is destroyed first; it may
    // destroy the Request. Exceptions it throws are logged and dropped.
    Request(Multi& multi, const RequestOptions& options, Callback callback);
    // Cancels a request still running; its callback is then never called.
    ~Request();
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;

    bool Running() const noexcept;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace pigeon::curl
