// The store, link-local TLS pins that an account's key vouched for.

#include "store/Impl.hxx"

namespace pigeon::store {

std::optional<std::string> Store::LinkPin(const std::string& account)
{
    return impl_->First(kLinkPin, ReadText, account);
}

void Store::RememberLinkPin(const std::string& account, const std::string& pin,
                            const std::string& instance, UnixMs when)
{
    impl_->Run(kRememberLinkPin, account, pin, instance, when);
}

bool Store::ForgetLinkPin(const std::string& instance, const std::string& account)
{
    return impl_->Run(kForgetLinkPin, instance, account) > 0;
}

} // namespace pigeon::store
