#include "crypto/Base64.hxx"

#include <sodium.h>

namespace pigeon::crypto {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

} // namespace

std::string ToBase64(std::string_view bytes)
{
    std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
    sodium_bin2base64(text.data(), text.size(),
                      reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), kVariant);
    text.resize(text.size() - 1); // the terminating NUL
    return text;
}

std::optional<std::string> FromBase64(std::string_view text, Base64Spaces spaces)
{
    std::string bytes(text.size() / 4 * 3 + 3, '\0');
    std::size_t length = 0;
    const char* end = nullptr;
    const char* ignore = spaces == Base64Spaces::Skip ? " \t\r\n" : nullptr;
    // libsodium stops at the first character it cannot use: all of text must have been used.
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                          text.size(), ignore, &length, &end, kVariant) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    bytes.resize(length);
    return bytes;
}

} // namespace pigeon::crypto
