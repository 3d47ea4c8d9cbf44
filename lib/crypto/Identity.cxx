#include "crypto/Identity.hxx"

#include "crypto/Random.hxx"
#include "util/UniqueFd.hxx"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace pigeon::crypto {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

using Seed = std::array<unsigned char, crypto_sign_SEEDBYTES>;

std::optional<Seed> ReadSeed(const std::filesystem::path& file)
{
    const UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.IsOpen()) {
        if (errno == ENOENT)
            return std::nullopt;
        ThrowErrno("cannot read " + file.string());
    }
    Seed seed;
    unsigned char extra;
    const ssize_t n = ::read(in.Get(), seed.data(), seed.size());
    if (n < 0)
        ThrowErrno("cannot read " + file.string());
    if (std::size_t(n) != seed.size() || ::read(in.Get(), &extra, 1) != 0)
        throw std::runtime_error(file.string() + " is not a pigeon identity (" +
                                 std::to_string(crypto_sign_SEEDBYTES) +
                                 " bytes expected); move it away to make a new one");
    return seed;
}

// Written under a temporary name and renamed: a crash leaves either no file
// or a whole one, never half a key.
void WriteSeed(const std::filesystem::path& file, const Seed& seed)
{
    const std::filesystem::path temp = file.string() + ".new";
    {
        const UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!out.IsOpen())
            ThrowErrno("cannot create " + temp.string());
        if (::write(out.Get(), seed.data(), seed.size()) != ssize_t(seed.size()) ||
            ::fsync(out.Get()) != 0)
            ThrowErrno("cannot write " + temp.string());
    }
    if (::rename(temp.c_str(), file.c_str()) != 0)
        ThrowErrno("cannot create " + file.string());
}

} // namespace

Identity::Identity(const unsigned char* seed)
{
    crypto_sign_seed_keypair(public_.data(), secret_.data(), seed);
}

Identity::Identity(Identity&& other) noexcept : public_(other.public_), secret_(other.secret_)
{
    sodium_memzero(other.secret_.data(), other.secret_.size());
}

Identity::~Identity()
{
    sodium_memzero(secret_.data(), secret_.size());
}

Identity Identity::LoadOrCreate(const std::filesystem::path& file)
{
    Initialise();
    auto seed = ReadSeed(file);
    if (!seed) {
        seed.emplace();
        randombytes_buf(seed->data(), seed->size());
        WriteSeed(file, *seed);
    }
    Identity identity(seed->data());
    sodium_memzero(seed->data(), seed->size());
    return identity;
}

Identity Identity::Generate()
{
    Initialise();
    Seed seed;
    randombytes_buf(seed.data(), seed.size());
    Identity identity(seed.data());
    sodium_memzero(seed.data(), seed.size());
    return identity;
}

std::string Identity::Sign(std::string_view data) const
{
    std::string signature(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                         secret_.data());
    return signature;
}

std::optional<std::string> Identity::Open(std::string_view sealed) const
{
    if (sealed.size() < crypto_box_SEALBYTES)
        return std::nullopt;
    std::array<unsigned char, crypto_box_PUBLICKEYBYTES> box_public;
    std::array<unsigned char, crypto_box_SECRETKEYBYTES> box_secret;
    if (crypto_sign_ed25519_pk_to_curve25519(box_public.data(), public_.data()) != 0 ||
        crypto_sign_ed25519_sk_to_curve25519(box_secret.data(), secret_.data()) != 0)
        return std::nullopt;
    std::string plain(sealed.size() - crypto_box_SEALBYTES, '\0');
    const int rc = crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                                        reinterpret_cast<const unsigned char*>(sealed.data()),
                                        sealed.size(), box_public.data(), box_secret.data());
    sodium_memzero(box_secret.data(), box_secret.size());
    if (rc != 0)
        return std::nullopt;
    return plain;
}

static_assert(kSignatureBytes == crypto_sign_BYTES);

bool Verify(const PublicKey& key, std::string_view data, std::string_view signature) noexcept
{
    return signature.size() == crypto_sign_BYTES &&
           crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                       reinterpret_cast<const unsigned char*>(data.data()),
                                       data.size(), key.data()) == 0;
}

std::string Seal(const PublicKey& recipient, std::string_view plaintext)
{
    std::array<unsigned char, crypto_box_PUBLICKEYBYTES> box_public;
    if (crypto_sign_ed25519_pk_to_curve25519(box_public.data(), recipient.data()) != 0)
        throw std::invalid_argument("not a usable public key");
    std::string sealed(plaintext.size() + crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        box_public.data()) != 0)
        throw std::invalid_argument("not a usable public key");
    return sealed;
}

std::string ToBase64(const PublicKey& key)
{
    return ToBase64(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::optional<PublicKey> ParsePublicKey(std::string_view text)
{
    const auto bytes = FromBase64(text);
    if (!bytes || bytes->size() != PublicKey().size())
        return std::nullopt;
    PublicKey key;
    std::copy(bytes->begin(), bytes->end(), key.begin());
    return key;
}

namespace {

// BLAKE2b of `size` bytes over `data`, in hex, a space after every `group` bytes (0: none).
template <std::size_t size>
std::string HashHex(const unsigned char* data, std::size_t length, std::size_t group)
{
    std::array<unsigned char, size> hash;
    crypto_generichash(hash.data(), hash.size(), data, length, nullptr, 0);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    text.reserve(3 * size); // two digits a byte, and the spaces between groups
    for (std::size_t i = 0; i < hash.size(); ++i) {
        if (group > 0 && i > 0 && i % group == 0)
            text += ' ';
        text += kHex[hash[i] >> 4];
        text += kHex[hash[i] & 0xf];
    }
    return text;
}

} // namespace

std::string Fingerprint(const PublicKey& key)
{
    return HashHex<16>(key.data(), key.size(), 2);
}

std::string Digest(std::string_view data)
{
    return HashHex<32>(reinterpret_cast<const unsigned char*>(data.data()), data.size(), 0);
}

} // namespace pigeon::crypto
