#pragma once
// A fresh c2s stream from its first features to an authenticated stream
// (RFC 6120 sections 5 and 6): STARTTLS where the connection is plain (TLS
// is required: no login in the clear), SASL through xmpp::SaslExchange with
// the TLS channel's binding, and the stream restart after it. What follows
// (resumption or binding) is the Session's.

#include "c2s/XmlStream.hxx"
#include "sasl/Client.hxx"
#include "ssl/TlsStream.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"
#include "xmpp/ClientSession.hxx"
#include "xmpp/SaslExchange.hxx"

#include <functional>
#include <optional>
#include <string>

namespace pigeon::c2s {

class Login {
public:
    using Failure = xmpp::ClientSession::Failure;
    // Called from within Take; none may destroy the Login.
    struct Hooks {
        // Logged in: the features of the restarted stream (or, when not authenticating, those
        // of the stream under TLS).
        std::function<void(const xml::Element& features)> done;
        std::function<void(const std::string& reason, Failure failure)> fail;
        std::function<void(const std::string& reason)> broken;
    };
    struct Settings {
        std::string domain;
        sasl::Credentials credentials;
        ssl::TlsOptions tls;
        std::string mechanism; // forced, or empty
        bool authenticate = true;
    };

    Login(XmlStream& stream, Settings settings, Hooks hooks);

    // Handles features, STARTTLS and SASL elements while logging in; false for anything
    // else. Throws what the stream's Send throws.
    bool Take(const xml::Element& element);

    // e.g. "TLSv1.3 (STARTTLS), SCRAM-SHA-256-PLUS"
    const std::string& Description() const noexcept { return description_; }

private:
    enum class State { Opening, StartingTls, Authenticating, Done };

    void OnFeatures(const xml::Element& features);
    void StartTls();
    void Authenticate(const xml::Element& features);
    void OnSasl(const xml::Element& element);

    XmlStream& stream_;
    Settings settings_;
    Hooks hooks_;
    State state_ = State::Opening;
    bool authenticated_ = false;
    std::optional<xmpp::SaslExchange> sasl_;
    std::string description_;
    Alive alive_;
};

} // namespace pigeon::c2s
