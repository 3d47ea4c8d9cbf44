#include "uplink/Probe.hxx"

#include "c2s/Reachability.hxx"
#include "crypto/Random.hxx"
#include "curl/Request.hxx"
#include "uplink/HostMeta.hxx"
#include "util/Log.hxx"
#include "xml/Document.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

#include <utility>

namespace pigeon::uplink {
namespace {

using xmpp::ns::kHttpBind;

// Why `body` is not a BOSH endpoint's answer to an unknown session, if it is not.
std::string NotBosh(long status, const std::string& body)
{
    if (status != 200)
        return "HTTP status " + std::to_string(status);
    try {
        const auto root = xml::ParseDocument(body);
        if (root.name == "body" && root.ns == kHttpBind && root.Attr("type") == "terminate")
            return {};
        return "the answer is not from a BOSH server (a captive portal?)";
    } catch (const std::exception&) {
        return "the answer is not XML, so not from a BOSH server (a captive portal?)";
    }
}

} // namespace

Probe::Probe(curl::Multi& multi, ProbeConfig config, Listener listener, Discovered discovered)
    : multi_(multi), config_(std::move(config)), listener_(std::move(listener)),
      discovered_(std::move(discovered)), timer_(multi.IoContext()), interval_(config_.min_interval)
{
    Check();
}

Probe::~Probe() = default;

void Probe::Check() noexcept
{
    if ((request_ && request_->Running()) || reachability_)
        return;
    c2s_problem_.clear();
    if (config_.transport == Transport::Bosh)
        ProbeBosh();
    else
        ProbeC2s();
}

void Probe::Restart() noexcept
{
    const bool running = (request_ && request_->Running()) || reachability_;
    // Changes that never stop must not end every probe before it answers:
    // of two Restarts in a row that find a Restart's probe running, the
    // second lets it finish and probes again after it.
    if (running && restarted_ && dropped_one_) {
        recheck_ = true;
        return;
    }
    dropped_one_ = running && restarted_;
    restarted_ = true;
    request_.reset();
    if (reachability_) // not destroyed here: a route change may come from within its call
        boost::asio::post(multi_.IoContext(), [r = std::move(reachability_)] {});
    Check();
}

void Probe::ProbeC2s()
{
    try {
        reachability_ = std::make_unique<c2s::Reachability>(
            multi_.IoContext(), config_.c2s, [this](const std::string& error) { OnC2s(error); });
    } catch (const std::exception& e) {
        OnC2s(e.what());
    }
}

void Probe::OnC2s(const std::string& error) noexcept
{
    // Not destroyed here: we may be inside its call.
    if (reachability_)
        boost::asio::post(multi_.IoContext(), [r = std::move(reachability_)] {});
    if (error.empty()) {
        via_ = Transport::C2s;
        OnResponse(200, {}, {});
        return;
    }
    c2s_problem_ = "c2s: " + error;
    if (config_.transport == Transport::Auto)
        ProbeBosh(); // what only HTTP(S) gets out through
    else
        OnResponse(0, {}, c2s_problem_);
}

void Probe::ProbeBosh() noexcept
{
    if (!config_.host_meta_url.empty()) {
        Discover();
        return;
    }
    try {
        curl::RequestOptions options;
        options.url = config_.url;
        options.method = curl::Method::Post;
        options.content_type = "text/xml; charset=utf-8";
        // rid/sid are arbitrary: the point is that no such session exists.
        options.body = "<body rid='1' sid='pigeon-probe' xmlns='" + std::string(kHttpBind) + "'/>";
        options.timeout = config_.timeout;
        options.connect_timeout = config_.timeout;
        // Same route as the BOSH session takes, proxy included, or the verdict means little.
        options.use_environment_proxy = true;
        options.max_response_bytes = 64 * 1024;
        request_ = std::make_unique<curl::Request>(multi_, options, [this](curl::Response r) {
            via_ = Transport::Bosh;
            OnResponse(r.status, r.body, r.error ? r.error_message : std::string());
        });
    } catch (const std::exception& e) {
        OnResponse(0, {}, e.what());
    }
}

void Probe::Discover()
{
    try {
        curl::RequestOptions options;
        options.url = config_.host_meta_url;
        options.timeout = config_.timeout;
        options.connect_timeout = config_.timeout;
        options.use_environment_proxy = true;
        options.max_response_bytes = 64 * 1024;
        options.headers = {"Accept: application/xrd+xml"};
        // Domains often send .well-known on to their web host; never from https to http.
        options.follow_redirects = true;
        request_ = std::make_unique<curl::Request>(multi_, options, [this](curl::Response r) {
            OnHostMeta(r.status, r.body, r.error ? r.error_message : std::string(), r.sent);
        });
    } catch (const std::exception& e) {
        OnHostMeta(0, {}, e.what(), false);
    }
}

void Probe::OnHostMeta(long status, const std::string& body, const std::string& error,
                       bool sent) noexcept
{
    std::string problem = error;
    std::string bosh_url;
    // The request reached a server, whatever came back: the uplink works (ejabberd closes the
    // connection without an answer when asked by address, not by domain).
    discovery_failed_ = problem.empty() || sent;
    if (problem.empty() && status != 200)
        problem = "HTTP status " + std::to_string(status);
    if (problem.empty()) {
        try {
            bosh_url = BoshUrlFromHostMeta(body, config_.host_meta_url.starts_with("https://"));
        } catch (const std::exception& e) {
            problem = e.what();
        }
    }
    if (!problem.empty()) {
        problem = "discovering the BOSH URL from " + config_.host_meta_url + ": " + problem;
        // Once per problem, not once per retry.
        if (problem != last_result_)
            log::Warning("probe", problem);
        // Offline as far as we can tell: no server told us where it is.
        OnResponse(0, {}, problem);
        return;
    }
    discovery_failed_ = false;
    log::Notice("probe", "discovered BOSH URL " + bosh_url + " from " + config_.host_meta_url);
    config_.host_meta_url.clear();
    if (config_.url.empty())
        config_.url = bosh_url;
    try {
        if (discovered_)
            discovered_(bosh_url);
    } catch (const std::exception& e) {
        log::Error("probe", std::string("using the discovered BOSH URL: ") + e.what());
    }
    Check(); // the endpoint itself says whether we are online
}

void Probe::OnResponse(long status, const std::string& body, const std::string& error) noexcept
{
    last_probe_ = NowMs();
    restarted_ = dropped_one_ = false;
    std::string problem = error;
    if (problem.empty() && via_ == Transport::Bosh)
        problem = NotBosh(status, body);
    if (!problem.empty() && !c2s_problem_.empty() && problem != c2s_problem_)
        problem = c2s_problem_ + "; BOSH: " + problem;
    last_result_ = problem.empty() ? "ok" : problem;
    const bool online = problem.empty();
    const bool changed = online != online_;
    if (changed) {
        online_ = online;
        since_ = last_probe_;
        interval_ = config_.min_interval;
        log::Notice("probe", online ? "uplink is up" : "uplink is down: " + problem);
    } else {
        interval_ = std::min(interval_ * 2, config_.max_interval);
    }
    ScheduleNext(std::exchange(recheck_, false));
    if (changed || online)
        listener_(online);
}

void Probe::ScheduleNext(bool now) noexcept
{
    // Jitter spreads the probes of many devices that lost the uplink together.
    const auto base = std::chrono::duration_cast<std::chrono::milliseconds>(interval_);
    const auto jitter = crypto::RandomBelow(std::uint32_t(base.count() / 4 + 1));
    timer_.expires_after(now ? std::chrono::milliseconds(0)
                             : base + std::chrono::milliseconds(jitter));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            Check();
    });
}

} // namespace pigeon::uplink
