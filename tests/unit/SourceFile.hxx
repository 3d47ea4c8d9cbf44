#pragma once
// Reading the project's own files (documents, man pages, scripts) from a
// unit test, to check them against the tables in the code. meson sets
// PIGEON_SOURCE_ROOT for the unit tests.

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace pigeon::test {

inline std::string ReadSourceFile(const std::string& relative)
{
    const char* root = std::getenv("PIGEON_SOURCE_ROOT");
    REQUIRE_MESSAGE(root != nullptr, "PIGEON_SOURCE_ROOT is not set: run through meson test");
    std::ifstream in(std::string(root) + "/" + relative);
    REQUIRE_MESSAGE(in, "cannot read " << relative);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::string> Lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// The words of `text`, split at white space.
inline std::set<std::string> Words(const std::string& text)
{
    std::set<std::string> words;
    std::istringstream in(text);
    for (std::string word; in >> word;)
        words.insert(word);
    return words;
}

} // namespace pigeon::test

// So that a failed comparison of two sets shows them.
template <> struct doctest::StringMaker<std::set<std::string>> {
    static String convert(const std::set<std::string>& words)
    {
        std::string text = "{";
        for (const auto& word : words)
            text += (text.size() > 1 ? ", " : "") + word;
        return (text + "}").c_str();
    }
};
