#include "control/Json.hxx"

#include "util/Time.hxx"

namespace pigeon::control {

Json TimeToJson(UnixMs t)
{
    return t == 0 ? Json(nullptr) : Json(FormatRfc3339(t));
}

} // namespace pigeon::control
