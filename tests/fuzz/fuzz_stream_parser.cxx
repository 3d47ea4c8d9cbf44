// The incremental stream parser on what a stranger may send, split anywhere:
// it may refuse the stream, never crash, and whatever stanza it returns can
// be serialized again.

#include "FuzzTarget.hxx"
#include "xml/Serializer.hxx"
#include "xml/StreamParser.hxx"

#include <algorithm>

using namespace pigeon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte chooses where the input is split: 1 to 256 bytes a piece.
    const std::size_t piece = std::size_t{data[0]} + 1;
    std::string_view input = fuzz::Text(data + 1, size - 1);
    // Small limits, so that they are reached within what libFuzzer tries.
    xml::StreamLimits limits;
    limits.max_stanza_bytes = 4096;
    limits.max_depth = 8;
    limits.max_names = 64;
    limits.max_name_bytes = 8192;
    xml::StreamParser parser{limits};
    try {
        while (!input.empty()) {
            const std::size_t n = std::min(piece, input.size());
            for (const auto& event : parser.Feed(input.substr(0, n)))
                if (event.kind == xml::StreamParser::Event::Kind::Stanza)
                    fuzz::Expect(!xml::Serialize(event.stanza).empty());
            input.remove_prefix(n);
        }
    } catch (const xml::StreamError& e) {
        fuzz::Expect(!e.condition().empty());
    }
    return 0;
}
