#include "adapters/slack/web_parse.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

}  // namespace

TEST_CASE("slack parse_message: subtype, bot_id and tombstoned files") {
    auto const message = tb::slack::parse_message(
        json::parse(R"({"type":"message","subtype":"bot_message","bot_id":"B1","ts":"1.000002",
                        "thread_ts":"1.000001","text":"hi","files":[
                          {"id":"F1","mode":"tombstone"},
                          {"id":"F2","title":"shot","mimetype":"image/png","size":12,
                           "url_private":"https://files.slack.com/x","permalink":"https://p"}]})"),
        "C1");
    CHECK(message.channel == "C1");
    CHECK(message.subtype == "bot_message");
    CHECK(message.bot_id == "B1");
    CHECK(message.user.empty());
    CHECK(message.root_ts() == "1.000001");
    REQUIRE(message.files.size() == 1);
    CHECK(message.files[0].name == "shot");
    CHECK(message.files[0].size == 12);

    auto const user = tb::slack::parse_user(
        json::parse(R"({"id":"U1","name":"bob","real_name":"Bob Top","is_bot":null,
                        "profile":{"real_name":""}})"));
    CHECK(user.real_name == "Bob Top");
    CHECK(user.email.empty());
    CHECK_FALSE(user.is_bot);
}
