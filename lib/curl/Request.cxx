#include "curl/Request.hxx"

#include "curl/Easy.hxx"
#include "curl/Error.hxx"
#include "util/Log.hxx"

#include <boost/asio/post.hpp>

#include <curl/curl.h>

#include <cstring>

namespace pigeon::curl {

struct Request::Impl final : Multi::Transfer, std::enable_shared_from_this<Request::Impl> {
    Impl(Multi& m, Callback cb) : multi(m), callback(std::move(cb)) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl()
    {
        if (headers != nullptr)
            curl_slist_free_all(headers);
    }

    void Setup(const RequestOptions& options);
    void AddHeader(const std::string& line);
    void OnTransferDone(int curl_code) noexcept override;
    void Finish() noexcept;

    static std::size_t Write(char* data, std::size_t size, std::size_t count, void* userp) noexcept;

    Multi& multi;
    Easy easy;
    curl_slist* headers = nullptr;
    std::string body; // curl reads the POST body from here
    std::size_t max_response_bytes = 0;
    bool too_large = false;
    bool running = false;
    char error_buffer[CURL_ERROR_SIZE] = {};
    Response response;
    Callback callback;
};

void Request::Impl::AddHeader(const std::string& line)
{
    curl_slist* more = curl_slist_append(headers, line.c_str());
    if (more == nullptr)
        throw std::bad_alloc{};
    headers = more;
}

void Request::Impl::Setup(const RequestOptions& options)
{
    easy.SetOption(CURLOPT_URL, options.url.c_str());
    const bool https_only = options.redirects_keep_https && options.url.starts_with("https://");
#if LIBCURL_VERSION_NUM >= 0x075500
    easy.SetOption(CURLOPT_PROTOCOLS_STR, "http,https");
    easy.SetOption(CURLOPT_REDIR_PROTOCOLS_STR, https_only ? "https" : "http,https");
#else
    easy.SetOption(CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    easy.SetOption(CURLOPT_REDIR_PROTOCOLS,
                   https_only ? long(CURLPROTO_HTTPS) : long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    // Signals would reach the daemon's handlers; timeouts are curl's own timers.
    easy.SetOption(CURLOPT_NOSIGNAL, 1L);
    easy.SetOption(CURLOPT_ERRORBUFFER, error_buffer);
    easy.SetOption(CURLOPT_WRITEFUNCTION, &Write);
    easy.SetOption(CURLOPT_WRITEDATA, static_cast<void*>(this));
    easy.SetOption(CURLOPT_TIMEOUT_MS, long(options.timeout.count()));
    easy.SetOption(CURLOPT_CONNECTTIMEOUT_MS, long(options.connect_timeout.count()));
    easy.SetOption(CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
    easy.SetOption(CURLOPT_MAXREDIRS, 5L);
    easy.SetOption(CURLOPT_USERAGENT, "pigeon/" PIGEON_VERSION);
    if (!options.use_environment_proxy)
        easy.SetOption(CURLOPT_PROXY, ""); // an empty proxy overrides the environment's
    max_response_bytes = options.max_response_bytes;
    // Refuses early when the server announces a larger body; Write catches the rest.
    easy.SetOption(CURLOPT_MAXFILESIZE_LARGE, curl_off_t(max_response_bytes));

    if (options.method == Method::Post) {
        body = options.body;
        easy.SetOption(CURLOPT_POST, 1L);
        easy.SetOption(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        easy.SetOption(CURLOPT_POSTFIELDS, body.data());
        if (!options.content_type.empty())
            AddHeader("Content-Type: " + options.content_type);
        // No "Expect: 100-continue" round trip before larger bodies.
        AddHeader("Expect:");
    }
    for (const std::string& line : options.headers)
        AddHeader(line);
    if (headers != nullptr)
        easy.SetOption(CURLOPT_HTTPHEADER, headers);
}

std::size_t Request::Impl::Write(char* data, std::size_t size, std::size_t count,
                                 void* userp) noexcept
{
    Impl& self = *static_cast<Impl*>(userp);
    const std::size_t bytes = size * count;
    if (self.response.body.size() + bytes > self.max_response_bytes) {
        self.too_large = true;
        return 0; // curl fails the transfer with CURLE_WRITE_ERROR
    }
    try {
        self.response.body.append(data, bytes);
    } catch (...) {
        return 0;
    }
    return bytes;
}

void Request::Impl::OnTransferDone(int curl_code) noexcept
{
    const auto self = shared_from_this(); // the callback may destroy the Request
    running = false;
    const auto code = static_cast<CURLcode>(curl_code);
    response.status = easy.GetInfo<long>(CURLINFO_RESPONSE_CODE);
    response.sent = easy.GetInfo<curl_off_t>(CURLINFO_PRETRANSFER_TIME_T) > 0;
    try {
        if (const char* type = easy.GetInfo<char*>(CURLINFO_CONTENT_TYPE); type != nullptr)
            response.content_type = type;
        if (code != CURLE_OK) {
            response.error = MakeErrorCode(code);
            response.timed_out = code == CURLE_OPERATION_TIMEDOUT && response.sent;
            if (too_large || code == CURLE_FILESIZE_EXCEEDED)
                response.error_message =
                    "response larger than " + std::to_string(max_response_bytes) + " bytes";
            else if (error_buffer[0] != '\0')
                response.error_message = error_buffer;
            else
                response.error_message = curl_easy_strerror(code);
        }
    } catch (...) {
        response.error = MakeErrorCode(CURLE_OUT_OF_MEMORY);
    }
    Finish();
}

void Request::Impl::Finish() noexcept
{
    Callback done = std::move(callback);
    callback = nullptr;
    if (!done)
        return;
    try {
        done(std::move(response));
    } catch (const std::exception& e) {
        log::Error("curl", std::string("request callback failed: ") + e.what());
    } catch (...) {
        log::Error("curl", "request callback failed");
    }
}

Request::Request(Multi& multi, const RequestOptions& options, Callback callback)
    : impl_(std::make_shared<Impl>(multi, std::move(callback)))
{
    try {
        impl_->Setup(options);
        multi.Add(impl_->easy.Get(), *impl_);
        impl_->running = true;
    } catch (const std::system_error& e) {
        impl_->response.error = e.code();
        impl_->response.error_message = e.what();
        boost::asio::post(multi.IoContext(), [weak = std::weak_ptr<Impl>(impl_)] {
            if (const auto impl = weak.lock())
                impl->Finish();
        });
    }
}

Request::~Request()
{
    if (impl_->running)
        impl_->multi.Remove(impl_->easy.Get());
    impl_->running = false;
    impl_->callback = nullptr;
}

bool Request::Running() const noexcept
{
    return impl_->running;
}

} // namespace pigeon::curl
