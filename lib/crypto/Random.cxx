#include "crypto/Random.hxx"

#include <sodium.h>

#include <array>
#include <chrono>
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
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return OriginIdAt(
        std::uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

std::string OriginIdAt(std::uint64_t unix_ms)
{
    Initialise(); // cheap after the first call, and makes the function safe to call first
    std::array<std::uint8_t, 16> bytes;
    for (std::size_t i = 0; i < 6; ++i) // 48 bits of time, most significant first
        bytes[i] = std::uint8_t(unix_ms >> (8 * (5 - i)));
    randombytes_buf(bytes.data() + 6, bytes.size() - 6);
    bytes[6] = std::uint8_t((bytes[6] & 0x0f) | 0x70); // version 7
    bytes[8] = std::uint8_t((bytes[8] & 0x3f) | 0x80); // RFC 9562 variant

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
