#include "sasl/Client.hxx"

#include "sasl/Error.hxx"

#include <gsasl.h>

#include <cstdlib>
#include <stdexcept>

namespace pigeon::sasl {
namespace {

// Strongest first: channel binding, then the stronger hash. PLAIN last; the caller decides
// where it may be used at all.
constexpr const char* kOurs[] = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
                                 "SCRAM-SHA-1", "PLAIN"};

bool IsPlus(std::string_view mechanism) noexcept
{
    return mechanism.ends_with("-PLUS");
}

} // namespace

// GNU SASL calls back for properties a session lacks; the session's hook is its Client.
struct Callback {
    static int Call(Gsasl*, Gsasl_session* session, Gsasl_property property) noexcept
    {
        auto* client = static_cast<Client*>(gsasl_session_hook_get(session));
        return client != nullptr ? client->Provide(property) : GSASL_NO_CALLBACK;
    }
};

namespace {

// The process's one GNU SASL context, made on first use (the loop is single-threaded).
class Library {
public:
    static Gsasl* Get()
    {
        static const Library library;
        return library.ctx_;
    }

private:
    Library()
    {
        if (const int rc = gsasl_init(&ctx_); rc != GSASL_OK)
            throw MakeError(rc, "initialising GNU SASL");
        gsasl_callback_set(ctx_, &Callback::Call);
    }
    ~Library() { gsasl_done(ctx_); }

    Gsasl* ctx_ = nullptr;
};

void SetProperty(Gsasl_session* session, Gsasl_property property, const std::string& value)
{
    if (const int rc = gsasl_property_set_raw(session, property, value.data(), value.size());
        rc != GSASL_OK)
        throw MakeError(rc, "setting a SASL property");
}

std::string Base64(const std::string& bytes)
{
    char* out = nullptr;
    if (const int rc = gsasl_base64_to(bytes.data(), bytes.size(), &out, nullptr); rc != GSASL_OK)
        throw MakeError(rc, "encoding the channel binding");
    std::string text(out);
    gsasl_free(out);
    return text;
}

} // namespace

std::string_view ChannelBinding::Name() const noexcept
{
    return type == Type::TlsExporter ? "tls-exporter" : "tls-unique";
}

std::vector<std::string> Client::Supported()
{
    std::vector<std::string> names;
    for (const char* name : kOurs)
        if (gsasl_client_support_p(Library::Get(), name) != 0)
            names.emplace_back(name);
    return names;
}

Client::Client(const std::string& mechanism, Credentials credentials,
               std::optional<ChannelBinding> binding)
    : mechanism_(mechanism), credentials_(std::move(credentials)), session_(nullptr, &gsasl_finish)
{
    if (IsPlus(mechanism_) != binding.has_value())
        throw std::invalid_argument(binding ? mechanism_ + " does not bind to the channel"
                                            : mechanism_ + " needs a channel binding");
    Gsasl_session* session = nullptr;
    if (const int rc = gsasl_client_start(Library::Get(), mechanism_.c_str(), &session);
        rc != GSASL_OK)
        throw MakeError(rc, "starting SASL mechanism " + mechanism_);
    session_.reset(session);
    gsasl_session_hook_set(session, this);
    SetProperty(session, GSASL_AUTHID, credentials_.username);
    if (binding)
        SetProperty(session,
                    binding->type == ChannelBinding::Type::TlsExporter ? GSASL_CB_TLS_EXPORTER
                                                                       : GSASL_CB_TLS_UNIQUE,
                    Base64(binding->data));
}

Client::~Client() = default;

int Client::Provide(int property) noexcept
{
    if (property != GSASL_PASSWORD)
        return GSASL_NO_CALLBACK;
    // SCRAM has read the server's first message by now and asks for the password only to
    // run PBKDF2 with the count the server chose.
    if (const char* iterations = gsasl_property_fast(session_.get(), GSASL_SCRAM_ITER)) {
        char* end = nullptr;
        const unsigned long count = std::strtoul(iterations, &end, 10);
        if (*end != '\0' || count > credentials_.max_iterations) {
            too_many_iterations_ = true;
            return GSASL_NO_PASSWORD;
        }
    }
    return gsasl_property_set(session_.get(), GSASL_PASSWORD, credentials_.password.c_str());
}

Client::Step Client::Next(std::string_view input)
{
    if (complete_)
        throw MakeError(GSASL_MECHANISM_CALLED_TOO_MANY_TIMES,
                        "the server went on after the SASL exchange was complete");
    char* out = nullptr;
    std::size_t out_size = 0;
    const int rc = gsasl_step(session_.get(), input.data(), input.size(), &out, &out_size);
    std::string output = out != nullptr ? std::string(out, out_size) : std::string();
    gsasl_free(out);
    ++steps_;
    if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
        throw MakeError(rc, Failure(rc));
    complete_ = rc == GSASL_OK;
    return {std::move(output), complete_};
}

// What went wrong at this step, in words a user can act on.
std::string Client::Failure(int rc) const
{
    const bool scram = mechanism_.starts_with("SCRAM-");
    if (too_many_iterations_)
        return "the server asks for more than " + std::to_string(credentials_.max_iterations) +
               " SCRAM iterations";
    if (scram && steps_ == 3 && rc == GSASL_AUTHENTICATION_ERROR)
        return "the server's signature does not match: it does not know the password";
    if (scram && steps_ == 3)
        return "the server's final " + mechanism_ + " message is malformed or an error";
    if (scram && steps_ == 2)
        return "the server's first " + mechanism_ + " message is malformed or not for us";
    return mechanism_ + " failed";
}

} // namespace pigeon::sasl
