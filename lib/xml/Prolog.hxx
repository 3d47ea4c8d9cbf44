#pragma once
// The start of a stream, held back from libxml2 until its byte order mark and
// XML declaration can be judged: XMPP is UTF-8 only (RFC 6120 section 11.6),
// and libxml2 must not be the one to act on a declared encoding.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::xml {

class Prolog {
public:
    // Adds the next bytes of the document. Returns nullopt while the start cannot be judged
    // yet; then, once, everything held so far minus a UTF-8 byte order mark, for the parser.
    // Throws StreamError: unsupported-encoding for a declaration that names another encoding
    // than UTF-8, not-well-formed for a declaration too long to be a real one.
    std::optional<std::string> Take(std::string_view bytes);

    // True once Take has handed the start of the document on.
    bool Checked() const noexcept { return checked_; }
    // Bytes held back so far.
    std::size_t Held() const noexcept { return held_.size(); }

    void Reset() noexcept
    {
        checked_ = false;
        held_.clear();
    }

private:
    bool checked_ = false;
    std::string held_;
};

} // namespace pigeon::xml
