#include "adapters/slack/requests.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "bot/commands/command.hpp"
#include "tests/support/files.hpp"

using tb::bot::Source;
using tb::slack::parse_slack_request;
using tb::testing::read_file;
using tb::testing::spec_json;
using tb::testing::spec_path;

namespace {

template <class T>
T const& as(tb::bot::SlackRequest const& request) {
    REQUIRE_MESSAGE(std::holds_alternative<T>(request),
                    (std::holds_alternative<tb::bot::Ignored>(request)
                         ? std::get<tb::bot::Ignored>(request).reason
                         : std::string{"other kind"}));
    return std::get<T>(request);
}

std::string sample(char const* name) {
    return read_file(spec_path(std::string{"slack/samples/"} + name));
}

}  // namespace

TEST_CASE("a reaction_added event becomes ReactionAdded") {
    auto const r = as<tb::bot::ReactionAdded>(parse_slack_request(
        Source::slack_event, sample("events-api/event_callback.reaction_added.json")));
    auto const event =
        spec_json("slack/samples/events-api/event_callback.reaction_added.json")["event"];
    CHECK(r.emoji == event["reaction"]);
    CHECK(r.channel == event["item"]["channel"]);
    CHECK(r.ts == event["item"]["ts"]);
    CHECK(r.user == event["user"]);
}

TEST_CASE("a thread reply becomes ThreadReply, then a top-level message is ignored") {
    auto const r = as<tb::bot::ThreadReply>(parse_slack_request(
        Source::slack_event,
        sample("events-api/event_callback.message.thread_reply_in_channel.json")));
    CHECK(r.message.thread_ts == "1726133698.626339");
    CHECK(r.message.ts == "1726133700.887259");
    CHECK(r.message.text == "When Slack was released?");
    auto const top =
        parse_slack_request(Source::slack_event, sample("events-api/event_callback.message.json"));
    CHECK(std::get<tb::bot::Ignored>(top).reason == "message outside a thread");
}

TEST_CASE("files of a file_share message are read with their size and links") {
    auto body = spec_json("slack/samples/events-api/event_callback.message.file_share.json");
    body["event"]["thread_ts"] = "1652227600.000000";
    auto const r = as<tb::bot::ThreadReply>(parse_slack_request(Source::slack_event, body.dump()));
    REQUIRE(r.message.files.size() == body["event"]["files"].size());
    auto const& file = body["event"]["files"][0];
    CHECK(r.message.files[0].name == file["name"]);
    CHECK(r.message.files[0].size == file["size"]);
    CHECK(r.message.files[0].permalink == file["permalink"]);
    CHECK_FALSE(r.message.files[0].url_private.empty());
}

TEST_CASE("edits and deletions are read from message_changed and message_deleted") {
    auto const edit = as<tb::bot::MessageEdited>(parse_slack_request(
        Source::slack_event, sample("events-api/event_callback.message.message_changed.json")));
    CHECK(edit.ts == "1665102338.901939");
    CHECK(edit.text == "updated message");
    auto const deletion = as<tb::bot::MessageDeleted>(parse_slack_request(
        Source::slack_event, sample("events-api/event_callback.message.message_deleted.json")));
    CHECK(deletion.ts == "1665368619.804829");
}

TEST_CASE("bot messages carry their bot id so the flows never copy them") {
    auto const r = parse_slack_request(
        Source::slack_event, sample("events-api/event_callback.message.bot_message_subtype.json"));
    if (auto const* reply = std::get_if<tb::bot::ThreadReply>(&r))
        CHECK_FALSE(reply->message.bot_id.empty());
    else
        CHECK(std::holds_alternative<tb::bot::Ignored>(r));
}

TEST_CASE("the Create ticket shortcut and its form submission are read") {
    auto shortcut = spec_json("slack/samples/interactivity/message_action.payload.json");
    CHECK(std::holds_alternative<tb::bot::Ignored>(
        parse_slack_request(Source::slack_interaction, shortcut.dump())));
    shortcut["callback_id"] = "create_ticket";
    auto const used =
        as<tb::bot::ShortcutUsed>(parse_slack_request(Source::slack_interaction, shortcut.dump()));
    CHECK(used.trigger_id == shortcut["trigger_id"]);
    CHECK(used.channel == shortcut["channel"]["id"]);
    CHECK(used.message_ts == shortcut["message_ts"]);
    CHECK(used.team == shortcut["team"]["id"]);
    CHECK(used.message_text == "<@W222> test");

    auto submission = spec_json("slack/samples/interactivity/view_submission.payload.json");
    submission["view"]["callback_id"] = "create_ticket";
    submission["view"]["private_metadata"] = R"({"team":"T1","channel":"C1","message_ts":"1.2"})";
    submission["view"]["state"]["values"] = {
        {"subject", {{"subject", {{"type", "plain_text_input"}, {"value", "Login fails"}}}}},
        {"priority",
         {{"priority", {{"type", "static_select"}, {"selected_option", {{"value", "high"}}}}}}}};
    auto const form =
        as<tb::bot::TicketForm>(parse_slack_request(Source::slack_interaction, submission.dump()));
    CHECK(form.subject == "Login fails");
    CHECK(form.priority == "high");
    CHECK(form.group.empty());
    CHECK(form.channel == "C1");
    CHECK(form.message_ts == "1.2");
    auto const errors =
        nlohmann::json::parse(tb::slack::form_errors_response({{"subject", "Give it a subject."}}));
    CHECK(errors["response_action"] == "errors");
    CHECK(errors["errors"]["subject"] == "Give it a subject.");
}

TEST_CASE("garbage never throws") {
    for (auto const* body :
         {"", "{", "[]", "null", R"({"event":5})", R"({"event":{"type":"message","files":7}})"}) {
        CHECK(std::holds_alternative<tb::bot::Ignored>(
            parse_slack_request(Source::slack_event, body)));
        CHECK(std::holds_alternative<tb::bot::Ignored>(
            parse_slack_request(Source::slack_interaction, body)));
    }
}

TEST_CASE("a command's ephemeral answer carries its text, the help text included, as JSON would encode it") {
    auto const help = tb::bot::help_text();
    for (std::string const& text : {std::string{"Working on #12…"}, "Unknown command `printer`.\n" + help,
                                   "Say \"what\" \\ to do\t<@U1> – \u00e9\n" + help, help, std::string{}}) {
        auto const answer = tb::slack::ephemeral_response(text);
        CHECK(answer == nlohmann::json{{"response_type", "ephemeral"}, {"text", text}}.dump());
        auto const parsed = nlohmann::json::parse(answer);
        CHECK(parsed.at("response_type") == "ephemeral");
        CHECK(parsed.at("text") == text);
    }
}
