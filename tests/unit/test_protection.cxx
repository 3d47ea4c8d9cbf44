// End-to-end protection of carried messages: what a carrier may and may not do.

#include "TempDir.hxx"
#include "crypto/Identity.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Protection.hxx"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

using namespace pigeon;
using xmpp::Authenticity;

namespace {

xmpp::ChatMessage Sample()
{
    return {"elaine@example.org", "jerry@example.org", "5b3f0c2e-0000-4000-8000-000000000001",
            "running late",       1'700'000'000'123,   true};
}

struct Parties {
    crypto::Identity elaine = crypto::Identity::Generate();
    crypto::Identity jerry = crypto::Identity::Generate();
    crypto::Identity kramer = crypto::Identity::Generate();
};

xml::Element Protected(const Parties& p, const xmpp::ChatMessage& m, bool seal)
{
    auto stanza = xmpp::ToStanza(m);
    xmpp::Protect(stanza, m, p.elaine, seal ? &p.jerry.Public() : nullptr);
    return stanza;
}

} // namespace

TEST_CASE("a signed message checks with the origin's key and with no other")
{
    Parties p;
    const auto m = Sample();
    const auto stanza = Protected(p, m, false);
    auto checked = xmpp::Check(stanza, m, &p.elaine.Public(), p.jerry);
    CHECK(checked.authenticity == Authenticity::Signed);
    CHECK(checked.body == "running late");
    CHECK_FALSE(checked.sealed);
    CHECK(xmpp::Check(stanza, m, &p.kramer.Public(), p.jerry).authenticity == Authenticity::Forged);
    CHECK(xmpp::Check(stanza, m, nullptr, p.jerry).authenticity == Authenticity::Unverified);
    CHECK(xmpp::Check(xmpp::ToStanza(m), m, &p.elaine.Public(), p.jerry).authenticity ==
          Authenticity::Unsigned);
}

TEST_CASE("any field a carrier changes breaks the signature")
{
    Parties p;
    const auto m = Sample();
    const auto stanza = Protected(p, m, false);
    struct Change {
        const char* what;
        void (*apply)(xmpp::ChatMessage&);
    };
    const Change changes[] = {
        {"body", [](xmpp::ChatMessage& c) { c.body = "running early"; }},
        {"from", [](xmpp::ChatMessage& c) { c.from = "kramer@example.org"; }},
        {"to", [](xmpp::ChatMessage& c) { c.to = "newman@example.org"; }},
        {"origin-id", [](xmpp::ChatMessage& c) { c.id += "x"; }},
        {"send time", [](xmpp::ChatMessage& c) { c.sent += 1; }},
    };
    for (const auto& change : changes) {
        CAPTURE(change.what);
        auto changed = m;
        change.apply(changed);
        CHECK(xmpp::Check(stanza, changed, &p.elaine.Public(), p.jerry).authenticity ==
              Authenticity::Forged);
    }
    // A resource on the sender's address is not a different sender.
    auto with_resource = m;
    with_resource.from += "/phone";
    CHECK(xmpp::Check(stanza, with_resource, &p.elaine.Public(), p.jerry).authenticity ==
          Authenticity::Signed);
}

TEST_CASE("a sealed body is unreadable to carriers and opens for the recipient")
{
    Parties p;
    const auto m = Sample();
    const auto stanza = Protected(p, m, true);
    const std::string text = xml::Serialize(stanza);
    CHECK(text.find("running late") == std::string::npos);
    CHECK(text.find("<sealed") != std::string::npos);

    const auto checked = xmpp::Check(stanza, m, &p.elaine.Public(), p.jerry);
    CHECK(checked.authenticity == Authenticity::Signed);
    CHECK(checked.sealed);
    CHECK(checked.body == "running late");
    // The carrier holds the stanza but not the key that opens it.
    const auto by_kramer = xmpp::Check(stanza, m, &p.elaine.Public(), p.kramer);
    CHECK(by_kramer.authenticity == Authenticity::Forged);
    CHECK(by_kramer.body.empty());
}

TEST_CASE("a replaced seal or a seal without signature is refused")
{
    Parties p;
    const auto m = Sample();
    auto stanza = Protected(p, m, true);
    // Kramer seals his own text to Jerry, keeping Elaine's signature.
    auto* sealed = stanza.Child("sealed", xmpp::ns::kPigeon);
    REQUIRE(sealed != nullptr);
    sealed->children.clear();
    sealed->AddText(crypto::ToBase64(crypto::Seal(p.jerry.Public(), "running early")));
    CHECK(xmpp::Check(stanza, m, &p.elaine.Public(), p.jerry).authenticity == Authenticity::Forged);

    auto unsigned_seal = xmpp::ToStanza(m);
    unsigned_seal.AddChild(xml::Element("sealed", std::string(xmpp::ns::kPigeon)))
        .AddText(crypto::ToBase64(crypto::Seal(p.jerry.Public(), "hi")));
    CHECK(xmpp::Check(unsigned_seal, m, nullptr, p.jerry).authenticity == Authenticity::Forged);
}

TEST_CASE("garbage in the protection elements is refused, not trusted")
{
    Parties p;
    const auto m = Sample();
    auto stanza = xmpp::ToStanza(m);
    stanza.AddChild(xml::Element("signature", std::string(xmpp::ns::kPigeon))).AddText("%%%");
    CHECK(xmpp::Check(stanza, m, &p.elaine.Public(), p.jerry).authenticity == Authenticity::Forged);
    auto sealed = xmpp::ToStanza(m);
    sealed.AddChild(xml::Element("sealed", std::string(xmpp::ns::kPigeon))).AddText("AAAA");
    CHECK(xmpp::Check(sealed, m, &p.elaine.Public(), p.jerry).authenticity == Authenticity::Forged);
}

TEST_CASE("the identity file is created once, private, and read back")
{
    test::TempDir dir;
    const auto file = dir.dir / "identity";
    const auto first = crypto::Identity::LoadOrCreate(file);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_size == 32);
    const auto again = crypto::Identity::LoadOrCreate(file);
    CHECK(again.Public() == first.Public());

    std::ofstream(file, std::ios::trunc) << "short";
    CHECK_THROWS_AS(crypto::Identity::LoadOrCreate(file), std::runtime_error);
}

TEST_CASE("a fingerprint is short, stable and tells keys apart")
{
    const auto a = crypto::Identity::Generate();
    const auto b = crypto::Identity::Generate();
    const auto fingerprint = crypto::Fingerprint(a.Public());
    CHECK(fingerprint.size() == 39); // 8 groups of 4 hex digits
    CHECK(fingerprint[4] == ' ');
    CHECK(fingerprint.find_first_not_of("0123456789abcdef ") == std::string::npos);
    CHECK(crypto::Fingerprint(a.Public()) == fingerprint);
    CHECK(crypto::Fingerprint(b.Public()) != fingerprint);
}

TEST_CASE("public keys travel as base64 and only 32 bytes are a key")
{
    const auto id = crypto::Identity::Generate();
    const auto text = crypto::ToBase64(id.Public());
    CHECK(crypto::ParsePublicKey(text) == id.Public());
    CHECK_FALSE(crypto::ParsePublicKey("AAAA"));
    CHECK_FALSE(crypto::ParsePublicKey("not base64!"));
    CHECK(crypto::FromBase64("aGVs\nbG8=") == "hello");
}
