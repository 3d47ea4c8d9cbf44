#include "crypto/Base64.hxx"
#include "crypto/Random.hxx"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace pigeon;
using crypto::Base64Spaces;

TEST_CASE("base64 encodes the RFC 4648 section 10 test vectors")
{
    CHECK(crypto::ToBase64("") == "");
    CHECK(crypto::ToBase64("f") == "Zg==");
    CHECK(crypto::ToBase64("fo") == "Zm8=");
    CHECK(crypto::ToBase64("foo") == "Zm9v");
    CHECK(crypto::ToBase64("foob") == "Zm9vYg==");
    CHECK(crypto::ToBase64("fooba") == "Zm9vYmE=");
    CHECK(crypto::ToBase64("foobar") == "Zm9vYmFy");
    CHECK(crypto::ToBase64(std::string("\xfb\xff", 2)) == "+/8="); // the standard alphabet
}

TEST_CASE("base64 decodes what it encodes, binary included")
{
    for (const std::string& bytes : {std::string(""), std::string("f"), std::string("fo"),
                                     std::string("foo"), std::string("\0\x01\xfe\xff", 4)}) {
        CAPTURE(bytes);
        CHECK(crypto::FromBase64(crypto::ToBase64(bytes)) == bytes);
        CHECK(crypto::FromBase64(crypto::ToBase64(bytes), Base64Spaces::Refuse) == bytes);
    }
}

TEST_CASE("base64 decoding refuses what is not canonical padded base64")
{
    for (const char* bad : {"Zg", "Zg=", "Zm9vYmFy=", "Zm8==", "Zh==", "Zm9v*",
                            "-_8=", "Zm9vYg==Zg==", "=", "Zm9v\x80"}) {
        CAPTURE(bad);
        CHECK_FALSE(crypto::FromBase64(bad).has_value());
        CHECK_FALSE(crypto::FromBase64(bad, Base64Spaces::Refuse).has_value());
    }
}

TEST_CASE("whitespace between base64 characters: skipped in XML text, refused in SASL")
{
    CHECK(crypto::FromBase64("Zm9v\r\nYmFy\t") == "foobar");
    CHECK(crypto::FromBase64(" Zm9vYg = =") == "foob");
    CHECK_FALSE(crypto::FromBase64("Zm9v\nYmFy", Base64Spaces::Refuse).has_value());
    CHECK_FALSE(crypto::FromBase64("Zm9vYmFy ", Base64Spaces::Refuse).has_value());
}

TEST_CASE("random bytes come in the number asked for and differ between draws")
{
    CHECK(crypto::RandomBytes(0).empty());
    const std::string a = crypto::RandomBytes(32);
    CHECK(a.size() == 32);
    CHECK(crypto::RandomBytes(32) != a);
}

TEST_CASE("random numbers stay below their bound and cover it")
{
    std::set<std::uint32_t> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto n = crypto::RandomBelow(4);
        CHECK(n < 4);
        seen.insert(n);
    }
    CHECK(seen.size() == 4);
    CHECK(crypto::RandomBelow(1) == 0);
}

TEST_CASE("origin ids are version 7 UUIDs: the time first, then random bits")
{
    // 2020-01-01T00:00:00Z is 0x016f5e66e800 ms after the epoch.
    const std::uint64_t at = 0x016f5e66e800ULL;
    const std::string id = crypto::OriginIdAt(at);
    REQUIRE(id.size() == 36);
    CHECK(id.substr(0, 13) == "016f5e66-e800");
    CHECK(id[8] == '-');
    CHECK(id[13] == '-');
    CHECK(id[14] == '7'); // version
    CHECK(id[18] == '-');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos); // variant
    CHECK(id[23] == '-');
    CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);

    // Made in the same millisecond: different all the same, and in their
    // random end, which lists show.
    std::set<std::string> ends;
    for (int i = 0; i < 1000; ++i) {
        const std::string same_ms = crypto::OriginIdAt(at);
        CHECK(same_ms.substr(0, 13) == id.substr(0, 13));
        ends.insert(same_ms.substr(28));
    }
    CHECK(ends.size() == 1000);

    // Made later: sorts after, as text (how the store's indexes order them).
    CHECK(crypto::OriginIdAt(at + 1) > crypto::OriginIdAt(at));
    CHECK(crypto::OriginIdAt(at + 1000) > crypto::OriginIdAt(at + 999));
    CHECK(crypto::NewOriginId() > id); // now is after 2020
}
