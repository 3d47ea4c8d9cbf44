#include "bosh/Scram.hxx"

#include <doctest/doctest.h>

#include <string>

using pigeon::bosh::Scram;
using pigeon::bosh::ScramError;
using pigeon::ssl::Hash;

namespace {

// RFC 5802 section 5.
constexpr const char* kSha1Nonce = "fyko+d2lbbFgONRv9qkxdawL";
constexpr const char* kSha1ServerFirst =
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
constexpr const char* kSha1ClientFinal =
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
constexpr const char* kSha1ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

// RFC 7677 section 3.
constexpr const char* kSha256Nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr const char* kSha256ServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* kSha256ClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* kSha256ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

Scram Sha1()
{
    return Scram(Hash::Sha1, "user", "pencil", kSha1Nonce);
}

} // namespace

TEST_CASE("mechanism names")
{
    CHECK(Scram::HashOf("SCRAM-SHA-1") == Hash::Sha1);
    CHECK(Scram::HashOf("SCRAM-SHA-256") == Hash::Sha256);
    CHECK_FALSE(Scram::HashOf("SCRAM-SHA-1-PLUS").has_value());
    CHECK_FALSE(Scram::HashOf("PLAIN").has_value());
}

TEST_CASE("RFC 5802 SCRAM-SHA-1 test vector")
{
    Scram scram = Sha1();
    CHECK(scram.ClientFirst() == std::string("n,,n=user,r=") + kSha1Nonce);
    CHECK(scram.ClientFinal(kSha1ServerFirst) == kSha1ClientFinal);
    CHECK_NOTHROW(scram.VerifyServerFinal(kSha1ServerFinal));
}

TEST_CASE("RFC 7677 SCRAM-SHA-256 test vector")
{
    Scram scram(Hash::Sha256, "user", "pencil", kSha256Nonce);
    CHECK(scram.ClientFirst() == std::string("n,,n=user,r=") + kSha256Nonce);
    CHECK(scram.ClientFinal(kSha256ServerFirst) == kSha256ClientFinal);
    CHECK_NOTHROW(scram.VerifyServerFinal(kSha256ServerFinal));
}

TEST_CASE("a wrong password gives another proof, and the real server's signature is refused")
{
    Scram scram(Hash::Sha1, "user", "pen", kSha1Nonce);
    CHECK(scram.ClientFinal(kSha1ServerFirst) != kSha1ClientFinal);
    CHECK_THROWS_AS(scram.VerifyServerFinal(kSha1ServerFinal), ScramError);
}

TEST_CASE("server-final messages that do not prove knowledge of the password")
{
    Scram scram = Sha1();
    // Before server-first, nothing can be verified.
    CHECK_THROWS_AS(scram.VerifyServerFinal(kSha1ServerFinal), ScramError);
    scram.ClientFinal(kSha1ServerFirst);
    for (const char* bad : {"", "v=", "v=AAAA", "v=rmF9pqV8S7suAoZWja4dJRkFsKQ",
                            "v=rmF9pqV8S7suAoZWja4dJRkFsKU=", "e=invalid-proof",
                            "x=rmF9pqV8S7suAoZWja4dJRkFsKQ=", "v=***", "garbage",
                            // The SHA-256 signature for a SHA-1 exchange.
                            kSha256ServerFinal}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(scram.VerifyServerFinal(bad), ScramError);
    }
    // Extensions after the verifier are allowed.
    CHECK_NOTHROW(scram.VerifyServerFinal(std::string(kSha1ServerFinal) + ",x=y"));
}

TEST_CASE("malformed server-first messages are rejected")
{
    const std::string nonce = kSha1Nonce;
    for (const std::string& bad : {
             std::string(""),
             std::string("garbage"),
             // Missing or misordered attributes.
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92",
             "s=QSXCR+Q6sek8bf92,r=" + nonce + "xyz,i=4096",
             "r=" + nonce + "xyz,i=4096,s=QSXCR+Q6sek8bf92",
             // A mandatory extension we do not know.
             "m=ext,r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=4096",
             // The server must extend our nonce, not replace or merely repeat it.
             std::string("r=somebodyelse,s=QSXCR+Q6sek8bf92,i=4096"),
             "r=" + nonce + ",s=QSXCR+Q6sek8bf92,i=4096",
             "r=x" + nonce + ",s=QSXCR+Q6sek8bf92,i=4096",
             // Salt must be non-empty base64.
             "r=" + nonce + "xyz,s=,i=4096",
             "r=" + nonce + "xyz,s=not*base64,i=4096",
             // Iteration counts: positive decimal, not absurd.
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=0",
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=-1",
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=",
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=12ab",
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=99999999999",
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=100000000",
             // Empty attributes and stray commas.
             "r=" + nonce + "xyz,,s=QSXCR+Q6sek8bf92,i=4096",
             "r=" + nonce + "xyz,s=QSXCR+Q6sek8bf92,i=4096,",
         }) {
        CAPTURE(bad);
        Scram scram = Sha1();
        CHECK_THROWS_AS(scram.ClientFinal(bad), ScramError);
    }
    // Unknown optional extensions after i are fine.
    Scram scram = Sha1();
    CHECK_NOTHROW(scram.ClientFinal(std::string(kSha1ServerFirst) + ",x=whatever"));
}

TEST_CASE("user names are escaped and nonces are fresh")
{
    Scram a(Hash::Sha256, "we,ird=name", "p");
    CHECK(a.ClientFirst().starts_with("n,,n=we=2Cird=3Dname,r="));
    Scram b(Hash::Sha256, "we,ird=name", "p");
    CHECK(a.ClientFirst() != b.ClientFirst());
    CHECK(a.ClientFirst().size() == std::string("n,,n=we=2Cird=3Dname,r=").size() + 24);
    CHECK_THROWS_AS(Scram(Hash::Sha1, "u", "p", "has,comma"), std::invalid_argument);
}
