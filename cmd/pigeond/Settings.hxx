#pragma once
// Every pigeond setting, one row each (MPD's config option templates): its
// name (the flag without dashes, and the key in pigeon.conf), the DaemonConfig
// member that holds it, its default, its range or choices, and its line of
// help. Option parsing and the pigeon.conf reader (Options.cxx), DaemonConfig's
// defaults and SaveAccount all read it; tests/unit/test_settings.cxx checks
// pigeond --help, pigeon.conf(5) and pigeond(8) against it.

#include "Config.hxx"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace pigeon {

// Where a setting's value lives; the member's type is the value's type.
using SettingMember =
    std::variant<std::string DaemonConfig::*, std::filesystem::path DaemonConfig::*,
                 bool DaemonConfig::*, int DaemonConfig::*, std::int64_t DaemonConfig::*,
                 std::size_t DaemonConfig::*, CarryPolicy DaemonConfig::*,
                 Transport DaemonConfig::*, log::Level DaemonConfig::*, LinkAccept DaemonConfig::*>;
// The type of the value a SettingMember alternative points at.
template <typename M> struct SettingTypeOf;
template <typename T> struct SettingTypeOf<T DaemonConfig::*> {
    using Type = T;
};
template <typename M> using SettingType = typename SettingTypeOf<M>::Type;

// A value of one of those types, in the same order.
using SettingValue = std::variant<std::string, std::filesystem::path, bool, int, std::int64_t,
                                  std::size_t, CarryPolicy, Transport, log::Level, LinkAccept>;

// What a changed value does when SIGHUP re-reads pigeon.conf.
enum class Reload {
    Restart,   // nothing until the next start: the running value is kept
    Live,      // takes effect at once
    NewUplink, // takes effect with a new uplink (as `pigeonctl account set`)
};

struct Setting {
    std::string_view name;
    SettingMember member;
    // Of the member's type; nullopt: no default (empty), or one found at start.
    std::optional<SettingValue> fallback{};
    // A default that depends on the machine (XDG directories, the login
    // name), as text; checked like a given value. Throws std::runtime_error
    // when there is none.
    std::string (*at_start)() = nullptr;
    // Numbers: the range allowed; `high_of` when its top depends on another
    // setting (checked once all are read).
    std::int64_t low = 0;
    std::int64_t high = 0;
    std::int64_t (*high_of)(const DaemonConfig& config) = nullptr;
    // Enumerations: their names, "on|off|contacts".
    std::string_view choices{};
    // Text: returns the value, normalised, or throws OptionsError.
    std::string (*check)(std::string value) = nullptr;
    std::string_view help{};
    Reload reload = Reload::Restart;
};

// Every setting, in the order pigeond --help lists them.
std::span<const Setting> Settings();
// The row of `member`. Throws std::logic_error if there is none.
const Setting& SettingOf(SettingMember member);

// Checks `value` and stores it in `config`. Paths and enumerations come as
// text, as a flag or a pigeon.conf line gives them; the rest in their own
// type. Throws OptionsError naming the setting.
void Assign(const Setting& setting, SettingValue value, DaemonConfig& config);
// The ranges that depend on other settings, once all are assigned. Throws
// OptionsError.
void CheckDependentRanges(const DaemonConfig& config);

// `config`'s value of `setting`.
SettingValue ValueOf(const Setting& setting, const DaemonConfig& config);
// Sets `to`'s value of `setting` to `from`'s, unchecked.
void CopyValue(const Setting& setting, const DaemonConfig& from, DaemonConfig& to);
// A value as pigeon.conf spells it: "yes", "5", "on"; text as it is.
std::string ValueText(const Setting& setting, const SettingValue& value);

} // namespace pigeon
