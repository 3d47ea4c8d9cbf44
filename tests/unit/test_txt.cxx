// A neighbour's TXT record is read within bounds: a key counts once, bad keys
// are dropped, and a record of thousands of strings yields a small map.

#include "avahi/Txt.hxx"

#include <doctest/doctest.h>

#include <string>

using namespace pigeon::avahi;

TEST_CASE("a record goes to Avahi and comes back the same")
{
    const TxtRecord txt = {{"txtvers", "1"}, {"port.p2pj", "5298"}, {"msg", "at the diner"}};
    const StringListPtr list = ToStringList(txt);
    CHECK(FromStringList(list.get()) == txt);
}

TEST_CASE("bad keys are dropped and the first occurrence counts")
{
    StringListPtr list;
    const auto add = [&list](const std::string& text) {
        list.reset(avahi_string_list_add(list.release(), text.c_str()));
    };
    // Avahi prepends: the last added is the first on the wire.
    add("nick=second");
    add("nick=first");
    add("=no key");
    add(std::string(65, 'k') + "=too long a key");
    add("ta\x01"
        "b=control in key");
    add("org.freedesktop.Avahi.cookie=123");
    add("flag");
    const TxtRecord txt = FromStringList(list.get());
    CHECK(txt == TxtRecord{{"nick", "first"}, {"flag", ""}});
}

TEST_CASE("only the first 64 strings are read")
{
    StringListPtr list;
    for (int i = 0; i < 5000; ++i)
        list.reset(avahi_string_list_add_pair(list.release(), ("k" + std::to_string(i)).c_str(),
                                              std::string(200, 'v').c_str()));
    const TxtRecord txt = FromStringList(list.get());
    CHECK(txt.size() == 64);
    CHECK(txt.count("k4999") == 1);
    CHECK(txt.count("k0") == 0);
}
