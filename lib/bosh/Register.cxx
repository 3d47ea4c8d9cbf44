#include "bosh/Register.hxx"

#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::bosh {
namespace {

// <iq type='set' to='domain'><query xmlns='jabber:iq:register'><username/><password/>...
xml::Element RegisterIq(std::string_view domain, std::string_view username,
                        std::string_view password)
{
    xml::Element iq{"iq", std::string{xmpp::ns::kClient}};
    iq.SetAttr("type", "set");
    iq.SetAttr("to", std::string{domain});
    xml::Element& query = iq.AddChild(xml::Element{"query", std::string{xmpp::ns::kRegister}});
    query.AddChild(xml::Element{"username", std::string{xmpp::ns::kRegister}}).AddText(username);
    query.AddChild(xml::Element{"password", std::string{xmpp::ns::kRegister}}).AddText(password);
    return iq;
}

std::string Outcome(const std::optional<xml::Element>& reply)
{
    if (!reply)
        return "no reply from the server";
    if (reply->Attr("type") == "result")
        return {};
    const std::string condition = xmpp::ErrorCondition(*reply);
    return condition.empty() ? std::string{"undefined-condition"} : condition;
}

SessionOptions Unauthenticated(SessionOptions options)
{
    options.authenticate = false;
    return options;
}

} // namespace

Registration::Registration(curl::Multi& multi, Account account, RegisterDone done,
                           SessionOptions options)
    : username_(std::string{xmpp::Jid::Parse(account.jid).Local()}), password_(account.password),
      done_(std::move(done)),
      session_(multi, std::move(account), *this, Unauthenticated(std::move(options)))
{
    if (username_.empty())
        throw std::invalid_argument("registration needs a JID with a localpart");
    session_.Start();
}

Registration::~Registration() = default;

void Registration::OnOnline(const std::string& domain) noexcept
{
    try {
        session_.SendIq(RegisterIq(domain, username_, password_),
                        [this](std::optional<xml::Element> reply) { Finish(Outcome(reply)); });
    } catch (const std::exception& e) {
        Finish(e.what());
    }
}

void Registration::OnStanza(const xml::Element&) noexcept
{
}

void Registration::OnOffline(const std::string& reason, bool) noexcept
{
    Finish(reason);
}

void Registration::Finish(const std::string& error) noexcept
{
    if (!done_)
        return;
    if (error.empty())
        log::Info("bosh", "registered " + session_.GetAccount().jid);
    else
        log::Warning("bosh", "registering " + session_.GetAccount().jid + " failed: " + error);
    session_.Stop();
    const RegisterDone done = std::move(done_);
    done_ = nullptr;
    try {
        done(error); // may destroy us
    } catch (const std::exception& e) {
        log::Error("bosh", std::string("registration completion failed: ") + e.what());
    }
}

void ChangePassword(Session& session, std::string new_password, RegisterDone done)
{
    const auto jid = xmpp::Jid::Parse(session.GetAccount().jid); // checked by Session
    auto finish = [&session, new_password, done](std::optional<xml::Element> reply) {
        const std::string error = Outcome(reply);
        if (error.empty())
            session.SetPassword(new_password);
        if (done)
            done(error);
    };
    session.SendIq(RegisterIq(jid.Domain(), jid.Local(), new_password), std::move(finish));
}

} // namespace pigeon::bosh
