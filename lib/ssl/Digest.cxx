#include "ssl/Digest.hxx"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace pigeon::ssl {
namespace {

const EVP_MD* Md(Hash hash) noexcept
{
    return hash == Hash::Sha1 ? EVP_sha1() : EVP_sha256();
}

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
    if (HMAC(Md(hash), key.data(), int(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
             &size) == nullptr)
        throw std::runtime_error("HMAC failed");
    return std::string(reinterpret_cast<char*>(out), size);
}

std::string Pbkdf2(Hash hash, std::string_view password, std::string_view salt, unsigned iterations)
{
    std::string out(std::size_t(EVP_MD_size(Md(hash))), '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), int(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), int(salt.size()),
                          int(iterations), Md(hash), int(out.size()),
                          reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw std::runtime_error("PBKDF2 failed");
    return out;
}

} // namespace pigeon::ssl
