#include "crypto/Random.hxx"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace pigeon::crypto {

void Initialise()
{
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium failed to initialise");
}

std::string RandomBytes(std::size_t count)
{
    Initialise(); // cheap after the first call
    std::string bytes(count, '\0');
    randombytes_buf(bytes.data(), bytes.size());
    return bytes;
}

std::uint32_t RandomBelow(std::uint32_t bound)
{
    Initialise();
    return randombytes_uniform(bound);
}

std::string NewOriginId()
{
    Initialise(); // cheap after the first call, and makes the function safe to call first
    std::array<std::uint8_t, 16> bytes;
    randombytes_buf(bytes.data(), bytes.size());
    bytes[6] = std::uint8_t((bytes[6] & 0x0f) | 0x40); // version 4
    bytes[8] = std::uint8_t((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant

    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            id.push_back('-');
        id.push_back(kHex[bytes[i] >> 4]);
        id.push_back(kHex[bytes[i] & 0x0f]);
    }
    return id;
}

} // namespace pigeon::crypto
