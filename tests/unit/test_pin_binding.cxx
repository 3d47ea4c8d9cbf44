// What ties a neighbour's TLS pin to an account (PinBinding), and trust on
// first vouch with the store (PinTrust).
#include "StoreFixture.hxx"
#include "crypto/Base64.hxx"
#include "link/PinTrust.hxx"
#include "store/Store.hxx"

#include <doctest/doctest.h>

#include <vector>

using namespace pigeon;
using link::JudgePin;
using link::PinVouch;

namespace {

const std::string kElaine = "elaine@example.org";
const std::string kPin(64, 'a');
const std::string kOtherPin(64, 'b');

} // namespace

TEST_CASE("a pin signed with the account's key is vouched")
{
    const auto elaine = crypto::Identity::Generate();
    const auto sig = link::SignPin(elaine, kElaine, kPin);
    CHECK(sig.size() == 88); // fits a TXT string (255 bytes) with its key
    const auto verdict = JudgePin(kElaine, kPin, sig, &elaine.Public(), {});
    CHECK(verdict.vouch == PinVouch::Vouched);
    CHECK(verdict.why.find(kElaine) != std::string::npos);
}

TEST_CASE("a tampered pin, another account or another key is a mismatch")
{
    const auto elaine = crypto::Identity::Generate();
    const auto stranger = crypto::Identity::Generate();
    const auto sig = link::SignPin(elaine, kElaine, kPin);
    CHECK(JudgePin(kElaine, kOtherPin, sig, &elaine.Public(), {}).vouch == PinVouch::Mismatch);
    CHECK(JudgePin("kramer@example.org", kPin, sig, &elaine.Public(), {}).vouch ==
          PinVouch::Mismatch);
    const auto forged = link::SignPin(stranger, kElaine, kPin);
    const auto verdict = JudgePin(kElaine, kPin, forged, &elaine.Public(), {});
    CHECK(verdict.vouch == PinVouch::Mismatch);
    CHECK(verdict.why.find("does not check") != std::string::npos);
    CHECK(link::Refusal(verdict).find("TLS pin mismatch") == 0);
}

TEST_CASE("a signature that is not base64 is refused, saying so")
{
    const auto elaine = crypto::Identity::Generate();
    const std::vector<std::string> bad_ones{"not base64!", "AAAA", "QUJD\nREVG",
                                            std::string(88, '=')};
    for (const auto& bad : bad_ones) {
        CAPTURE(bad);
        const auto verdict = JudgePin(kElaine, kPin, bad, &elaine.Public(), {});
        CHECK(verdict.vouch == PinVouch::Mismatch);
        CHECK(verdict.why.find("not a base64 Ed25519 signature") != std::string::npos);
        // Even without a key to check it with: it cannot be a pigeon's.
        CHECK(JudgePin(kElaine, kPin, bad, nullptr, {}).vouch == PinVouch::Mismatch);
    }
}

TEST_CASE("a pin without a signature, an account or a key is unvouched")
{
    const auto elaine = crypto::Identity::Generate();
    const auto sig = link::SignPin(elaine, kElaine, kPin);
    CHECK(JudgePin(kElaine, "", sig, &elaine.Public(), {}).vouch == PinVouch::None);
    CHECK(JudgePin("", kPin, sig, &elaine.Public(), {}).vouch == PinVouch::Unvouched);
    CHECK(JudgePin(kElaine, kPin, "", &elaine.Public(), {}).vouch == PinVouch::Unvouched);
    const auto verdict = JudgePin(kElaine, kPin, sig, nullptr, {});
    CHECK(verdict.vouch == PinVouch::Unvouched);
    CHECK(verdict.why == "we hold no key of elaine@example.org to check it");
}

TEST_CASE("another pin than the one vouched before is a mismatch, even signed")
{
    const auto elaine = crypto::Identity::Generate();
    const auto sig = link::SignPin(elaine, kElaine, kOtherPin);
    CHECK(JudgePin(kElaine, kOtherPin, sig, &elaine.Public(), kPin).vouch == PinVouch::Mismatch);
    CHECK(JudgePin(kElaine, kOtherPin, "", nullptr, kPin).vouch == PinVouch::Mismatch);
    // The remembered pin stays vouched without its signature (a TXT record cut short).
    CHECK(JudgePin(kElaine, kPin, "", nullptr, kPin).vouch == PinVouch::Vouched);
}

TEST_CASE("trust on first vouch: remembered in the store, forgotten on request")
{
    test::TempDb db;
    store::Store store(db.File());
    std::vector<std::string> wanted;
    link::PinTrust trust(store, [&](const std::string& account) { wanted.push_back(account); });
    const auto elaine = crypto::Identity::Generate();
    const auto sig = link::SignPin(elaine, kElaine, kPin);

    // No key yet: unvouched, and its server is asked for one.
    CHECK(trust.Judge("elaine@laptop", kElaine, kPin, sig).vouch == PinVouch::Unvouched);
    CHECK(wanted == std::vector<std::string>{kElaine});
    CHECK_FALSE(store.LinkPin(kElaine));

    store.SetKey(kElaine, crypto::ToBase64(elaine.Public()), 1000);
    CHECK(trust.Judge("elaine@laptop", kElaine, kPin, sig).vouch == PinVouch::Vouched);
    CHECK(store.LinkPin(kElaine) == kPin);

    // A new TLS key, signed by the same identity: the user decides.
    const auto new_sig = link::SignPin(elaine, kElaine, kOtherPin);
    CHECK(trust.Judge("elaine@laptop", kElaine, kOtherPin, new_sig).vouch == PinVouch::Mismatch);
    CHECK(store.LinkPin(kElaine) == kPin);
    CHECK(trust.Forget("elaine@laptop", ""));
    CHECK_FALSE(trust.Forget("elaine@laptop", kElaine));
    CHECK(trust.Judge("elaine@laptop", kElaine, kOtherPin, new_sig).vouch == PinVouch::Vouched);
    CHECK(store.LinkPin(kElaine) == kOtherPin);
    CHECK(wanted.size() == 1);
}
