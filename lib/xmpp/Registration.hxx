#pragma once
// XEP-0077 In-Band Registration over either transport: creating an account
// on a fresh, unauthenticated session, and changing the password of a
// logged-in one.

#include "xmpp/ClientSession.hxx"

#include <functional>
#include <memory>
#include <string>

namespace pigeon::xmpp {

// error is empty on success, else the XMPP stanza error condition ("conflict": the account
// exists; "not-allowed": registration is closed; ...) or why the session failed.
using RegisterDone = std::function<void(const std::string& error)>;

// Registers jid with password. The session is its own and ends with the attempt; done is
// called once, from the loop.
class Registration final : ClientSession::Listener {
public:
    // An unauthenticated session to the account's server (online means the stream is open;
    // its "full JID" is then the domain), reporting to the listener given.
    using MakeSession = std::function<std::unique_ptr<ClientSession>(ClientSession::Listener&)>;

    // Starts at once. Throws std::invalid_argument if jid has no localpart, and what
    // make_session and the session's Start throw.
    Registration(const std::string& jid, std::string password, const MakeSession& make_session,
                 RegisterDone done);
    // Cancels a registration in progress; done is then never called.
    ~Registration();

private:
    void OnOnline(const std::string& domain) noexcept override;
    void OnStanza(const xml::Element& stanza) noexcept override;
    void OnOffline(const std::string& reason, Failure failure) noexcept override;
    void Finish(const std::string& error) noexcept;

    std::string jid_;
    std::string username_;
    std::string password_;
    RegisterDone done_;
    std::unique_ptr<ClientSession> session_;
};

// Changes the password of account_jid, which session is logged in to (XEP-0077 section 3.3).
// On success session.SetPassword(new_password) has been called, so that its next Start uses
// it. done is called once, from the loop. Throws std::invalid_argument if XML cannot carry the
// password (control characters) or account_jid is not a JID.
void ChangePassword(ClientSession& session, const std::string& account_jid,
                    std::string new_password, RegisterDone done);

} // namespace pigeon::xmpp
