#include "link/HandshakeLog.hxx"

#include "store/Store.hxx"
#include "util/Log.hxx"
#include "util/Time.hxx"

namespace pigeon::link {

void LogHandshake(store::Store& store, const std::string& instance, const std::string& event,
                  const std::string& detail)
{
    log::Info("link", instance + ": " + event + (detail.empty() ? "" : " (" + detail + ")"));
    try {
        store.LogHandshake({NowMs(), instance, event, detail});
    } catch (const std::exception& e) {
        log::Warning("link", std::string("cannot record handshake: ") + e.what());
    }
}

} // namespace pigeon::link
