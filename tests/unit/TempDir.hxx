#pragma once
// A fresh private directory for one test case, removed with everything in it.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace pigeon::test {

struct TempDir {
    std::filesystem::path dir;
    explicit TempDir(const std::string& prefix = "pigeon-test")
    {
        std::string pattern =
            (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        dir = mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(dir); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

} // namespace pigeon::test
