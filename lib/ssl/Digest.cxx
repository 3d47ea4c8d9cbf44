#include "ssl/Digest.hxx"

#include <openssl/evp.h>

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

} // namespace pigeon::ssl
