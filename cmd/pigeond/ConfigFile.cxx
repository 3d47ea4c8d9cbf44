#include "ConfigFile.hxx"

#include "Settings.hxx"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace pigeon {
namespace {

// The key of a "key = value" line, empty for comments, blank and other lines.
std::string_view KeyOf(std::string_view line)
{
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#' || line[start] == '[')
        return {};
    const auto equals = line.find('=', start);
    if (equals == std::string_view::npos)
        return {};
    std::string_view key = line.substr(start, equals - start);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t'))
        key.remove_suffix(1);
    return key;
}

const SettingLine* FindSetting(const std::vector<SettingLine>& settings, std::string_view key)
{
    for (const auto& setting : settings)
        if (setting.first == key)
            return &setting;
    return nullptr;
}

std::string Line(const SettingLine& setting)
{
    return setting.first + " = " + *setting.second + "\n";
}

std::runtime_error WriteError(const std::filesystem::path& file)
{
    return std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
}

// Writes `text` to `file` with `mode`, replacing what was there. Throws
// std::runtime_error.
void WriteFile(const std::filesystem::path& file, const std::string& text, mode_t mode)
{
    const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        throw WriteError(file);
    // An earlier file of that name may have had a wider mode.
    bool ok = fchmod(fd, mode) == 0;
    for (std::size_t done = 0; ok && done < text.size();) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        ok = n > 0;
        done += ok ? std::size_t(n) : 0;
    }
    ok = ok && fsync(fd) == 0;
    const int saved = errno;
    close(fd);
    errno = saved;
    if (!ok)
        throw WriteError(file);
}

void CheckStorable(const char* what, const std::string& value)
{
    if (value.find_first_of("#\r\n") != std::string::npos || value.empty())
        throw std::runtime_error(std::string(what) + " cannot be stored in pigeon.conf: it is "
                                                     "empty or holds '#' or a line break");
}

} // namespace

std::string RewriteSettings(std::string_view text, const std::vector<SettingLine>& settings)
{
    std::string out;
    std::set<std::string, std::less<>> written;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line =
            text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        text.remove_prefix(line.size());
        const SettingLine* setting = FindSetting(settings, KeyOf(line));
        if (setting == nullptr) {
            out.append(line);
            if (!line.ends_with('\n') && !line.empty())
                out += '\n';
            continue;
        }
        if (setting->second && written.insert(setting->first).second)
            out += Line(*setting);
    }
    for (const auto& setting : settings)
        if (setting.second && !written.count(setting.first))
            out += Line(setting);
    return out;
}

void SaveAccount(const AccountFiles& files, const std::string& account, const std::string& bosh_url,
                 const std::string& password)
{
    CheckStorable("the account", account);
    if (!bosh_url.empty())
        CheckStorable("the BOSH URL", bosh_url);
    CheckStorable("the password file name", files.password_file.string());

    std::string old_text;
    if (std::ifstream in(files.config_file); in)
        old_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    else if (std::filesystem::exists(files.config_file))
        throw std::runtime_error("cannot read " + files.config_file.string());
    const auto key = [](SettingMember member) { return std::string(SettingOf(member).name); };
    const std::string new_text = RewriteSettings(
        old_text,
        {{key(&DaemonConfig::account), account},
         {key(&DaemonConfig::bosh_url), bosh_url.empty() ? std::nullopt : std::optional(bosh_url)},
         {key(&DaemonConfig::password_file), files.password_file.string()},
         {key(&DaemonConfig::password_command), std::nullopt}});

    std::error_code ec;
    for (const auto& dir : {files.config_file.parent_path(), files.password_file.parent_path()})
        if (!dir.empty() && std::filesystem::create_directories(dir, ec) && !ec)
            chmod(dir.c_str(), 0700);

    const std::filesystem::path config_aside = files.config_file.string() + ".new";
    const std::filesystem::path password_aside = files.password_file.string() + ".new";
    try {
        WriteFile(password_aside, password + "\n", 0600);
        WriteFile(config_aside, new_text, 0600);
    } catch (const std::runtime_error&) {
        std::filesystem::remove(password_aside, ec);
        std::filesystem::remove(config_aside, ec);
        throw;
    }
    // The password first: a config naming a password file must find it.
    if (std::rename(password_aside.c_str(), files.password_file.c_str()) != 0) {
        const auto error = WriteError(files.password_file);
        std::filesystem::remove(password_aside, ec);
        std::filesystem::remove(config_aside, ec);
        throw error;
    }
    if (std::rename(config_aside.c_str(), files.config_file.c_str()) != 0) {
        const auto error = WriteError(files.config_file);
        std::filesystem::remove(config_aside, ec);
        throw error;
    }
}

} // namespace pigeon
