#include "ssl/Digest.hxx"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace pigeon::ssl {
namespace {

const EVP_MD* Md(Hash hash) noexcept { return hash == Hash::Sha1 ? EVP_sha1() : EVP_sha256(); }

} // namespace

std::string Digest(Hash hash, std::string_view data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (EVP_Digest(data.data(), data.size(), out, &size, Md(hash), nullptr) != 1)
        throw std::runtime_error("digest failed");
    return std::string(reinterpret_cast<char*>(out), size);
}

std::string Hmac(Hash hash, std::string_view key, std::string_view data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (HMAC(Md(hash), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), out, &size) == nullptr)
        throw std::runtime_error("HMAC failed");
    return std::string(reinterpret_cast<char*>(out), size);
}

std::string Pbkdf2(Hash hash, std::string_view password, std::string_view salt,
                   unsigned iterations)
{
    std::string out(std::size_t(EVP_MD_size(Md(hash))), '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), int(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), int(salt.size()),
                          int(iterations), Md(hash), int(out.size()),
                          reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw std::runtime_error("PBKDF2 failed");
    return out;
}

std::string RandomBytes(std::size_t count)
{
    std::string out(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), int(count)) != 1)
        throw std::runtime_error("no random bytes available");
    return out;
}

std::string Base64Encode(std::string_view data)
{
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()),
                                     int(data.size()));
    out.resize(std::size_t(size));
    return out;
}

std::string Base64Decode(std::string_view text)
{
    if (text.size() % 4 != 0)
        throw std::invalid_argument("base64 text has a length that is not a multiple of 4");
    std::string out(3 * text.size() / 4 + 1, '\0');
    const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     int(text.size()));
    if (size < 0)
        throw std::invalid_argument("malformed base64 text");
    // EVP_DecodeBlock counts padding as zero bytes: drop them.
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=')
        padding = (text.size() > 1 && text[text.size() - 2] == '=') ? 2 : 1;
    out.resize(std::size_t(size) - padding);
    return out;
}

} // namespace pigeon::ssl
