#include "util/Xdg.hxx"

#include <cstdlib>
#include <stdexcept>

namespace pigeon::xdg {
namespace {

std::filesystem::path FromEnvOrHome(const char* variable, const char* home_relative)
{
    if (const char* value = std::getenv(variable); value != nullptr && *value == '/')
        return value;
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::filesystem::path(home) / home_relative;
    throw std::runtime_error(std::string("neither ") + variable + " nor HOME is set");
}

} // namespace

std::filesystem::path DataDir()
{
    return FromEnvOrHome("XDG_DATA_HOME", ".local/share") / "pigeon";
}

std::filesystem::path ConfigFile()
{
    return FromEnvOrHome("XDG_CONFIG_HOME", ".config") / "pigeon" / "pigeon.conf";
}

std::filesystem::path RuntimeDir()
{
    if (const char* value = std::getenv("XDG_RUNTIME_DIR"); value != nullptr && *value == '/')
        return std::filesystem::path(value) / "pigeon";
    throw std::runtime_error("XDG_RUNTIME_DIR is not set; pass --runtime-dir DIR");
}

} // namespace pigeon::xdg
