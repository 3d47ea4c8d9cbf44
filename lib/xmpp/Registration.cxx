#include "xmpp/Registration.hxx"

#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

#include <stdexcept>

namespace pigeon::xmpp {
namespace {

constexpr std::string_view kLog = "xmpp";

// <iq type='set' to='domain'><query xmlns='jabber:iq:register'><username/><password/>...
xml::Element RegisterIq(std::string_view domain, std::string_view username,
                        std::string_view password)
{
    xml::Element iq{"iq", std::string{ns::kClient}};
    iq.SetAttr("type", "set");
    iq.SetAttr("to", std::string{domain});
    xml::Element& query = iq.AddChild(xml::Element{"query", std::string{ns::kRegister}});
    query.AddChild(xml::Element{"username", std::string{ns::kRegister}}).AddText(username);
    query.AddChild(xml::Element{"password", std::string{ns::kRegister}}).AddText(password);
    return iq;
}

std::string Outcome(const std::optional<xml::Element>& reply)
{
    if (!reply)
        return "no reply from the server";
    if (reply->Attr("type") == "result")
        return {};
    const std::string condition = ErrorCondition(*reply);
    return condition.empty() ? std::string{"undefined-condition"} : condition;
}

std::string Localpart(const std::string& jid)
{
    std::string local{Jid::Parse(jid).Local()};
    if (local.empty())
        throw std::invalid_argument("registration needs a JID with a localpart");
    return local;
}

} // namespace

Registration::Registration(const std::string& jid, std::string password,
                           const MakeSession& make_session, RegisterDone done)
    : jid_(jid), username_(Localpart(jid)), password_(std::move(password)), done_(std::move(done)),
      session_(make_session(*this))
{
    session_->Start();
}

Registration::~Registration() = default;

void Registration::OnOnline(const std::string& domain) noexcept
{
    try {
        session_->SendIq(RegisterIq(domain, username_, password_),
                         [this](std::optional<xml::Element> reply) { Finish(Outcome(reply)); });
    } catch (const std::exception& e) {
        Finish(e.what());
    }
}

void Registration::OnStanza(const xml::Element&) noexcept
{
}

void Registration::OnOffline(const std::string& reason, Failure) noexcept
{
    Finish(reason);
}

void Registration::Finish(const std::string& error) noexcept
{
    if (!done_)
        return;
    if (error.empty())
        log::Info(kLog, "registered " + jid_);
    else
        log::Warning(kLog, "registering " + jid_ + " failed: " + error);
    session_->Stop();
    const RegisterDone done = std::move(done_);
    done_ = nullptr;
    try {
        done(error); // may destroy us
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("registration completion failed: ") + e.what());
    }
}

void ChangePassword(ClientSession& session, const std::string& account_jid,
                    std::string new_password, RegisterDone done)
{
    const auto jid = Jid::Parse(account_jid);
    auto finish = [&session, new_password, done](std::optional<xml::Element> reply) {
        const std::string error = Outcome(reply);
        if (error.empty())
            session.SetPassword(new_password);
        if (done)
            done(error);
    };
    session.SendIq(RegisterIq(jid.Domain(), jid.Local(), new_password), std::move(finish));
}

} // namespace pigeon::xmpp
