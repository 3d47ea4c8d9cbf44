#include "bosh/Scram.hxx"

#include "crypto/Base64.hxx"
#include "crypto/Random.hxx"

#include <vector>

namespace pigeon::bosh {
namespace {

// PBKDF2 runs on the event loop: a server may not make us spin for seconds.
constexpr unsigned long kMaxIterations = 1'000'000;

std::string EscapeName(std::string_view name)
{
    std::string out;
    for (const char c : name) {
        if (c == '=')
            out += "=3D";
        else if (c == ',')
            out += "=2C";
        else
            out += c;
    }
    return out;
}

// The attribute-value pairs of a SCRAM message, in order.
std::vector<std::pair<char, std::string_view>> Split(std::string_view message)
{
    std::vector<std::pair<char, std::string_view>> out;
    while (true) {
        const std::size_t comma = message.find(',');
        const std::string_view item = message.substr(0, comma);
        if (item.size() < 2 || item[1] != '=' ||
            !((item[0] >= 'a' && item[0] <= 'z') || (item[0] >= 'A' && item[0] <= 'Z')))
            throw ScramError("malformed SCRAM message");
        out.emplace_back(item[0], item.substr(2));
        if (comma == std::string_view::npos)
            return out;
        message.remove_prefix(comma + 1);
    }
}

bool IsPrintable(std::string_view s) noexcept
{
    for (const char c : s)
        if (c < 0x21 || c > 0x7E || c == ',')
            return false;
    return true;
}

std::string Decode(std::string_view text, const char* what)
{
    if (auto bytes = crypto::FromBase64(text, crypto::Base64Spaces::Refuse))
        return std::move(*bytes);
    throw ScramError(std::string("malformed ") + what);
}

std::string Xor(std::string a, std::string_view b)
{
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        a[i] = static_cast<char>(a[i] ^ b[i]);
    return a;
}

bool SameBytes(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

std::optional<ssl::Hash> Scram::HashOf(std::string_view mechanism) noexcept
{
    if (mechanism == "SCRAM-SHA-1")
        return ssl::Hash::Sha1;
    if (mechanism == "SCRAM-SHA-256")
        return ssl::Hash::Sha256;
    return std::nullopt;
}

Scram::Scram(ssl::Hash hash, std::string_view username, std::string password,
             std::string client_nonce)
    : hash_(hash), password_(std::move(password)), nonce_(std::move(client_nonce))
{
    if (nonce_.empty())
        nonce_ = crypto::ToBase64(crypto::RandomBytes(18)); // 24 characters, no padding
    if (!IsPrintable(nonce_))
        throw std::invalid_argument("SCRAM nonce must be printable and have no ','");
    client_first_ = "n,,n=" + EscapeName(username) + ",r=" + nonce_;
}

std::string Scram::ClientFinal(std::string_view server_first)
{
    const auto items = Split(server_first);
    // r, s and i come first and in this order; a leading m= is an extension we must not ignore.
    if (items.size() < 3 || items[0].first != 'r' || items[1].first != 's' || items[2].first != 'i')
        throw ScramError("server-first message lacks r, s or i");
    const std::string_view nonce = items[0].second;
    if (nonce.size() <= nonce_.size() || !nonce.starts_with(nonce_) || !IsPrintable(nonce))
        throw ScramError("server nonce does not extend ours");
    const std::string salt = Decode(items[1].second, "salt");
    if (salt.empty())
        throw ScramError("empty salt");
    const std::string_view count = items[2].second;
    unsigned long iterations = 0;
    if (count.empty() || count.size() > 9 || count[0] == '0')
        throw ScramError("bad iteration count");
    for (const char c : count) {
        if (c < '0' || c > '9')
            throw ScramError("bad iteration count");
        iterations = iterations * 10 + static_cast<unsigned long>(c - '0');
    }
    if (iterations > kMaxIterations)
        throw ScramError("iteration count " + std::to_string(iterations) + " is too high");

    const std::string without_proof = "c=" + crypto::ToBase64("n,,") + ",r=" + std::string{nonce};
    const std::string auth_message =
        client_first_.substr(3) + "," + std::string{server_first} + "," + without_proof;
    const std::string salted =
        ssl::Pbkdf2(hash_, password_, salt, static_cast<unsigned>(iterations));
    const std::string client_key = ssl::Hmac(hash_, salted, "Client Key");
    const std::string stored_key = ssl::Digest(hash_, client_key);
    const std::string proof = Xor(client_key, ssl::Hmac(hash_, stored_key, auth_message));
    server_signature_ = ssl::Hmac(hash_, ssl::Hmac(hash_, salted, "Server Key"), auth_message);
    return without_proof + ",p=" + crypto::ToBase64(proof);
}

void Scram::VerifyServerFinal(std::string_view server_final) const
{
    if (server_signature_.empty())
        throw ScramError("server-final message before server-first");
    const auto items = Split(server_final);
    if (items[0].first == 'e')
        throw ScramError("server reports " + std::string{items[0].second});
    if (items[0].first != 'v')
        throw ScramError("server-final message lacks a verifier");
    if (!SameBytes(Decode(items[0].second, "server signature"), server_signature_))
        throw ScramError("server signature does not match: the server does not know the password");
}

} // namespace pigeon::bosh
