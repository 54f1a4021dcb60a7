#include "adapters/slack/web_call.hpp"

#include <chrono>
#include <string>

#include <doctest/doctest.h>

namespace {

using Kind = tb::bot::ApiError::Kind;

tb::http::Response response(int status, std::string body) {
    tb::http::Response out{static_cast<tb::http::bhttp::status>(status), 11};
    out.body() = std::move(body);
    return out;
}

}  // namespace

TEST_CASE("slack read_answer: Slack's codes and odd answers") {
    using tb::slack::read_answer;
    auto const ok = read_answer(response(200, R"({"ok":true,"ts":"1.2"})"));
    REQUIRE(ok.has_value());
    CHECK((*ok)["ts"] == "1.2");

    auto limited = response(200, R"({"ok":false,"error":"ratelimited"})");
    limited.set(tb::http::bhttp::field::retry_after, "30");
    CHECK(read_answer(limited).error().kind == Kind::rate_limited);
    CHECK(read_answer(limited).error().retry_after == std::chrono::milliseconds{30'000});
    CHECK(read_answer(response(200, R"({"ok":false,"error":"fatal_error"})")).error().kind ==
          Kind::unavailable);
    CHECK(read_answer(response(200, R"({"ok":false,"error":"message_not_found"})")).error().kind ==
          Kind::not_found);
    CHECK(read_answer(response(200, R"({"ok":false,"error":"file_not_found"})")).error().kind ==
          Kind::not_found);
    CHECK(read_answer(response(200, "<html>maintenance</html>")).error().kind == Kind::unavailable);
    CHECK(read_answer(response(503, "")).error().kind == Kind::unavailable);
    auto const unknown = read_answer(response(404, R"({"ok":false,"error":"unknown_method"})"));
    CHECK(unknown.error().kind == Kind::rejected);
    CHECK(unknown.error().message == "unknown_method");
}
