#pragma once
// Transitional: the BOSH namespaces now live in xmpp/Namespaces.hxx with all the
// others. lib/uplink/Probe.cxx still names bosh::ns::kHttpBind; delete this
// file once it names xmpp::ns::kHttpBind.

#include "xmpp/Namespaces.hxx"

namespace pigeon::bosh::ns {

using xmpp::ns::kHttpBind;

} // namespace pigeon::bosh::ns
