// Lines of the control protocol are refused when nested too deep, before
// nlohmann_json builds anything, and the refusal is an ordinary bad-request.

#include "control/Json.hxx"
#include "control/Server.hxx"

#include <doctest/doctest.h>

#include <string>

using namespace pigeon;
using control::Json;

namespace {

std::string Nested(std::size_t depth, std::string_view inner = "1")
{
    return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

Json ReplyTo(std::string_view line)
{
    std::string reply;
    control::HandleLine([](const Json&, control::Respond respond) { respond(control::OkReply(1)); },
                        line, [&reply](std::string text) { reply = std::move(text); });
    return Json::parse(reply);
}

} // namespace

TEST_CASE("nesting up to the limit parses, one more level is refused")
{
    CHECK(control::ParseLine(Nested(control::kMaxJsonDepth)).is_array());
    CHECK_THROWS_AS(control::ParseLine(Nested(control::kMaxJsonDepth + 1)), control::JsonTooDeep);
    CHECK_THROWS_AS(control::ParseLine(std::string(40, '{')), control::JsonTooDeep);
    // Siblings do not add up: depth is how deep, not how many.
    std::string wide = "[";
    for (int i = 0; i < 1000; ++i)
        wide += "[[]],";
    wide += "1]";
    CHECK(control::ParseLine(wide).size() == 1001);
}

TEST_CASE("brackets inside strings are text, not nesting")
{
    const std::string brackets(100, '[');
    const Json parsed = control::ParseLine(R"({"cmd": "send", "body": ")" + brackets + R"("})");
    CHECK(parsed["body"] == brackets);
    // An escaped quote does not end the string.
    CHECK(control::ParseLine(R"({"body": "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})")
              .contains("body"));
    // But a string that ends lets the brackets after it count.
    CHECK_THROWS_AS(control::ParseLine(R"(["\\")" + std::string(40, '[')), control::JsonTooDeep);
}

TEST_CASE("a deep request gets a bad-request reply naming the limit")
{
    const Json reply = ReplyTo(std::string(3'000'000, '['));
    CHECK(reply["ok"] == false);
    CHECK(reply["error"] == "bad-request");
    CHECK(reply["message"].get<std::string>().find("deeper than 32") != std::string::npos);
    // Not deep, but not JSON either: still the old answer.
    CHECK(ReplyTo("[[[1]")["message"] == "request is not valid JSON");
    CHECK(ReplyTo(R"({"cmd": "status", "x": )" + Nested(20) + "}")["ok"] == true);
}

TEST_CASE("the deep-JSON refusal is a Json::exception like any parse error")
{
    CHECK_THROWS_AS(control::ParseLine(Nested(64)), Json::exception);
    CHECK_THROWS_AS(control::ParseLine("{"), Json::exception);
}
