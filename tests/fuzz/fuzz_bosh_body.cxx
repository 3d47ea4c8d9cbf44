// A connection manager's answer, as a hostile or broken server may send it:
// refused with an exception, or a body whose session terms are sane.

#include "FuzzTarget.hxx"
#include "bosh/Body.hxx"

#include <stdexcept>
#include <string>

using namespace pigeon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text{fuzz::Text(data, size)};
    try {
        const xml::Element body = bosh::ParseResponse(text, 64 * 1024);
        constexpr std::chrono::seconds kWait{60};
        if (const auto terms = bosh::ReadSessionTerms(body, kWait)) {
            fuzz::Expect(!terms->sid.empty());
            fuzz::Expect(terms->wait <= kWait);
        }
    } catch (const std::runtime_error&) {
        // Refused: what a bad answer should get.
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
