#include "c2s/Login.hxx"

#include "util/Log.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Negotiation.hxx"

namespace pigeon::c2s {
namespace {

constexpr std::string_view kLog = "c2s";

std::optional<sasl::ChannelBinding> BindingOf(const ssl::TlsStream& tls)
{
    const auto binding = tls.ChannelBinding();
    if (!binding)
        return std::nullopt;
    return sasl::ChannelBinding{binding->exporter ? sasl::ChannelBinding::Type::TlsExporter
                                                  : sasl::ChannelBinding::Type::TlsUnique,
                                binding->data};
}

} // namespace

Login::Login(XmlStream& stream, Settings settings, Hooks hooks)
    : stream_(stream), settings_(std::move(settings)), hooks_(std::move(hooks)),
      description_(stream.GetSocket().Tls() != nullptr ? "direct TLS" : "STARTTLS")
{
}

bool Login::Take(const xml::Element& element)
{
    if (state_ == State::Done)
        return false;
    if (element.ns == xmpp::ns::kStreams && element.name == "features") {
        OnFeatures(element);
    } else if (element.ns == xmpp::ns::kTls && state_ == State::StartingTls) {
        if (element.name == "proceed")
            StartTls();
        else
            hooks_.fail("the server refused STARTTLS", Failure::Tls);
    } else if (element.ns == xmpp::ns::kSasl) {
        OnSasl(element);
    } else {
        return false;
    }
    return true;
}

void Login::OnFeatures(const xml::Element& features)
{
    if (state_ != State::Opening)
        return;
    const ssl::TlsStream* tls = stream_.GetSocket().Tls();
    if (tls == nullptr) {
        if (features.Child("starttls", xmpp::ns::kTls) == nullptr) {
            hooks_.fail("the server offers no TLS: not logging in in the clear", Failure::Tls);
            return;
        }
        state_ = State::StartingTls;
        stream_.Send(xml::Element{"starttls", std::string{xmpp::ns::kTls}});
        return;
    }
    if (settings_.authenticate && !authenticated_) {
        Authenticate(features);
        return;
    }
    state_ = State::Done;
    hooks_.done(features);
}

void Login::StartTls()
{
    const auto alive = alive_.Watch();
    stream_.StartTls(settings_.domain, settings_.tls,
                     [this, alive](const std::string& error, bool refused) {
                         if (alive.Gone() || state_ != State::StartingTls)
                             return;
                         if (!error.empty()) {
                             if (refused)
                                 hooks_.fail(error, Failure::Tls);
                             else
                                 hooks_.broken(error);
                             return;
                         }
                         state_ = State::Opening;
                         stream_.Open(settings_.domain);
                     });
}

void Login::Authenticate(const xml::Element& features)
{
    const ssl::TlsStream& tls = *stream_.GetSocket().Tls();
    const xmpp::SaslChannel channel{true, tls.Verified(), BindingOf(tls)};
    auto choice = xmpp::SaslExchange::Choose(features, settings_.mechanism, channel);
    if (choice.mechanism.empty()) {
        std::string names;
        for (const auto& name : xmpp::SaslExchange::Offered(features))
            names += (names.empty() ? "" : " ") + name;
        hooks_.fail("no acceptable SASL mechanism among those offered (" + names + ")",
                    Failure::Auth);
        return;
    }
    description_ = tls.Version() + " (" + description_ + ")";
    sasl_.emplace(std::move(choice), settings_.credentials);
    state_ = State::Authenticating;
    log::Debug(kLog, "authenticating with " + sasl_->Mechanism());
    stream_.Send(sasl_->Auth());
}

void Login::OnSasl(const xml::Element& element)
{
    if (state_ != State::Authenticating || !sasl_) {
        hooks_.fail("unexpected SASL <" + element.name + "/>", Failure::Transient);
        return;
    }
    try {
        if (element.name == "challenge") {
            stream_.Send(sasl_->Respond(element));
        } else if (element.name == "success") {
            sasl_->Succeed(element);
            description_ += ", " + sasl_->Mechanism();
            sasl_.reset();
            authenticated_ = true;
            state_ = State::Opening;
            stream_.Open(settings_.domain);
        } else if (element.name == "failure") {
            hooks_.fail(xmpp::SaslFailure(element), Failure::Auth);
        }
    } catch (const xmpp::SaslError& e) {
        hooks_.fail(std::string("authentication failed: ") + e.what(), Failure::Auth);
    }
}

} // namespace pigeon::c2s
