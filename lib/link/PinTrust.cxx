#include "link/PinTrust.hxx"

#include "store/Store.hxx"
#include "util/Time.hxx"

namespace pigeon::link {

PinTrust::PinTrust(store::Store& store, WantKey want_key)
    : store_(store), want_key_(std::move(want_key))
{
}

PinVerdict PinTrust::Judge(const std::string& instance, const std::string& account,
                           const std::string& pin, const std::string& signature)
{
    if (pin.empty() || account.empty())
        return JudgePin(account, pin, signature, nullptr, {});
    const auto text = store_.Key(account);
    const auto key = text ? crypto::ParsePublicKey(*text) : std::nullopt;
    const std::string remembered = store_.LinkPin(account).value_or(std::string());
    auto verdict = JudgePin(account, pin, signature, key ? &*key : nullptr, remembered);
    if (verdict.vouch == PinVouch::Vouched && remembered.empty())
        store_.RememberLinkPin(account, pin, instance, NowMs());
    else if (verdict.vouch == PinVouch::Unvouched && !key && !signature.empty() && want_key_)
        want_key_(account); // its server may vouch for it: judged again when the key comes
    return verdict;
}

bool PinTrust::Forget(const std::string& instance, const std::string& account)
{
    return store_.ForgetLinkPin(instance, account);
}

} // namespace pigeon::link
