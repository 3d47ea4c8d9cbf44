#pragma once
// Writing the account into pigeon.conf (`pigeonctl account set`): the user's
// other lines and comments stay as they were.

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon {

// A "key = value" line to write (a value) or to remove (nullopt).
using SettingLine = std::pair<std::string, std::optional<std::string>>;

// `text` (pigeon.conf syntax) with each setting's first "key = value" line
// replaced, later ones for the same key dropped, missing ones appended, and
// those to remove dropped. Other lines are kept byte for byte. Values must
// not hold '#' or line breaks (SaveAccount checks). Throws std::bad_alloc.
std::string RewriteSettings(std::string_view text, const std::vector<SettingLine>& settings);

struct AccountFiles {
    std::filesystem::path config_file;
    std::filesystem::path password_file; // written 0600
};

// Writes `password` to files.password_file and the account, BOSH URL (none:
// discovered) and password file into files.config_file, dropping any
// password-command; the keys are those of their rows in Settings.cxx. Both
// files are written aside first and renamed only when both were written, so
// a failure leaves the old files untouched. Throws std::runtime_error naming
// the file that could not be written, or the value that cannot be stored.
void SaveAccount(const AccountFiles& files, const std::string& account, const std::string& bosh_url,
                 const std::string& password);

} // namespace pigeon
