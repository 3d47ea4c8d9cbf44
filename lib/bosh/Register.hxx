#pragma once
// XEP-0077 In-Band Registration over BOSH: creating an account on a fresh,
// unauthenticated session, and changing the password of a logged-in one.

#include "bosh/Session.hxx"

#include <functional>
#include <string>

namespace pigeon::bosh {

// error is empty on success, else the XMPP stanza error condition ("conflict": the account
// exists; "not-allowed": registration is closed; ...) or why the session failed.
using RegisterDone = std::function<void(const std::string& error)>;

// Registers account.jid with account.password. The session is its own and ends with the
// attempt; done is called once, from the loop.
class Registration final : Session::Listener {
public:
    // Starts at once. Throws like the Session constructor and Session::Start.
    Registration(curl::Multi& multi, Account account, RegisterDone done,
                 SessionOptions options = {});
    // Cancels a registration in progress; done is then never called.
    ~Registration();

private:
    void OnOnline(const std::string& full_jid) noexcept override;
    void OnStanza(const xml::Element& stanza) noexcept override;
    void OnOffline(const std::string& reason, bool auth_failed) noexcept override;
    void Finish(const std::string& error) noexcept;

    std::string username_;
    std::string password_;
    RegisterDone done_;
    Session session_;
};

// Changes the password of the account session is logged in to (XEP-0077 section 3.3). On
// success session.SetPassword(new_password) has been called, so that its next Start uses it.
// done is called once, from the loop. Throws std::invalid_argument if XML cannot carry the
// password (control characters).
void ChangePassword(Session& session, std::string new_password, RegisterDone done);

} // namespace pigeon::bosh
