#include "adapters/zendesk/api_call.hpp"

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

TEST_CASE("zendesk read_answer: statuses and error bodies") {
    using tb::zendesk::read_answer;
    CHECK(read_answer(response(204, "")).has_value());
    auto text_limited = response(429, "Number of allowed API requests per minute exceeded");
    text_limited.set(tb::http::bhttp::field::retry_after, "12");
    auto const limited = read_answer(text_limited);
    CHECK(limited.error().kind == Kind::rate_limited);
    CHECK(limited.error().retry_after == std::chrono::milliseconds{12'000});
    CHECK(limited.error().message == "Number of allowed API requests per minute exceeded");
    CHECK(read_answer(response(409, R"({"error":"UpdateConflict","description":"x"})"))
              .error()
              .kind == Kind::unavailable);
    auto const forbidden = read_answer(response(
        403,
        R"({"error":{"title":"Forbidden","message":"You do not have access to this page."}})"));
    CHECK(forbidden.error().kind == Kind::rejected);
    CHECK(forbidden.error().message == "Forbidden: You do not have access to this page.");
    auto const missing = read_answer(response(
        400, R"({"error":"ParameterMissing","description":"Parameter brands is required"})"));
    CHECK(missing.error().kind == Kind::rejected);
    CHECK(missing.error().message == "ParameterMissing: Parameter brands is required");
    auto const several = read_answer(response(
        422, R"({"error":"RecordInvalid","description":"Record validation errors","details":{
                 "name":[{"description":"Name: cannot be blank","error":"BlankValue"}],
                 "email":[{"description":"Email is not properly formatted"}]}})"));
    CHECK(several.error().kind == Kind::rejected);
    CHECK(several.error().message == "Email is not properly formatted; Name: cannot be blank");
    auto const listed = read_answer(response(
        422, R"({"errors":[{"code":"InvalidValue","title":"Invalid endpoint","detail":"endpoint must be https"},
                           {"code":"TooManyWebhooks","title":"Too many webhooks"}]})"));
    CHECK(listed.error().kind == Kind::rejected);  // the Webhooks API's shape
    CHECK(listed.error().message == "endpoint must be https; Too many webhooks");
    CHECK(read_answer(response(200, "not json")).error().kind == Kind::unavailable);
    CHECK(read_answer(response(502, "<html>bad gateway</html>")).error().kind == Kind::unavailable);
}
