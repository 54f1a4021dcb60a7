#include "adapters/slack/agent_requests.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/support/files.hpp"

namespace {

using nlohmann::json;
using tb::bot::AgentRequest;
using tb::bot::CardAction;
using tb::bot::SolveSubmitted;
using tb::bot::Source;
using tb::bot::TicketCommand;
using tb::slack::parse_agent_request;
using tb::testing::read_file;
using tb::testing::spec_json;
using tb::testing::spec_path;
using Kind = CardAction::Kind;

template <class T>
T as(std::optional<AgentRequest> const& request) {
    REQUIRE(request.has_value());
    REQUIRE(std::holds_alternative<T>(*request));
    return std::get<T>(*request);
}

std::string command_sample() {
    return read_file(spec_path("slack/samples/slash-commands/slash_command.form-urlencoded.txt"));
}

// Slack's block_actions sample, with its first action made one of the card's.
json card_click(json action) {
    auto payload = spec_json("slack/samples/interactivity/block_actions.payload.json");
    payload["actions"] = json::array({std::move(action)});
    return payload;
}

json button(char const* action_id, char const* value) {
    return {{"action_id", action_id},
            {"block_id", "ticket_actions"},
            {"text", {{"type", "plain_text"}, {"text", "Take"}, {"emoji", true}}},
            {"value", value},
            {"type", "button"},
            {"action_ts", "1596530385.194939"}};
}

json select(char const* action_id, std::string const& value) {
    json const option = {{"text", {{"type", "plain_text"}, {"text", "High"}, {"emoji", true}}},
                         {"value", value}};
    return {{"type", "static_select"},
            {"action_id", action_id},
            {"block_id", "ticket_actions"},
            {"selected_option", option},
            {"placeholder", {{"type", "plain_text"}, {"text", "Priority"}, {"emoji", true}}},
            {"action_ts", "1596530385.194939"}};
}

// Slack's view_submission sample as the "Solve ticket" modal comes back.
json solve_submission(std::optional<json> note) {
    auto payload = spec_json("slack/samples/interactivity/view_submission.payload.json");
    auto& view = payload["view"];
    view["callback_id"] = "solve_ticket";
    view["private_metadata"] =
        json{{"ticket", 123}, {"channel", "C0SUPPORT"}, {"card_ts", "1700000002.000200"}}.dump();
    json field = {{"type", "plain_text_input"}};
    if (note) field["value"] = std::move(*note);
    view["state"]["values"] = {{"note", {{"note", std::move(field)}}}};
    return payload;
}

}  // namespace

TEST_CASE("agent request: a slash command becomes TicketCommand") {
    auto const sample = command_sample();
    auto const command = as<TicketCommand>(parse_agent_request(Source::slack_command, sample));
    auto const fields = spec_json("slack/samples/slash-commands/slash_command.fields.json");
    CHECK(command.team == fields["team_id"]);
    CHECK(command.channel == fields["channel_id"]);
    CHECK(command.user == fields["user_id"]);
    CHECK(command.text == fields["text"]);
    CHECK(command.response_url == fields["response_url"]);
    CHECK(command.trigger_id == fields["trigger_id"]);

    auto const escaped =
        "token=t&team_id=T0FAKE&channel_id=C0SUPPORT&user_id=U0ALICE"
        "&command=%2Fticket&text=assign+123+%3C%40U0ALEX%7Calex%3E"
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0%2F1%2Fx"
        "&trigger_id=1.2.3";
    auto const assign = as<TicketCommand>(parse_agent_request(Source::slack_command, escaped));
    CHECK(assign.text == "assign 123 <@U0ALEX|alex>");
    CHECK(assign.response_url == "https://hooks.slack.com/commands/T0/1/x");
}

TEST_CASE("agent request: card buttons become CardAction with the ticket id") {
    struct Row {
        char const* action_id;
        Kind kind;
    };
    for (auto const& row : std::vector<Row>{{"ticket_take", Kind::take},
                                            {"ticket_pending", Kind::pending},
                                            {"ticket_solve", Kind::solve},
                                            {"sla_solve_pending", Kind::solve_pending}}) {
        CAPTURE(row.action_id);
        auto const payload = card_click(button(row.action_id, "123")).dump();
        auto const action = as<CardAction>(parse_agent_request(Source::slack_interaction, payload));
        CHECK(action.kind == row.kind);
        CHECK(action.ticket_id == 123);
        CHECK(action.choice.empty());
        CHECK(action.team == "T111");
        CHECK(action.channel == "C111");
        CHECK(action.card_ts == "111.222");
        CHECK(action.user == "W111");
        CHECK(action.response_url == "https://hooks.slack.com/actions/T111/111/random-value");
        CHECK(action.trigger_id == "111.222.valid");
    }
}

TEST_CASE("agent request: card selects carry ticket id and choice") {
    auto const priority = as<CardAction>(parse_agent_request(
        Source::slack_interaction, card_click(select("ticket_priority", "123:high")).dump()));
    CHECK(priority.kind == Kind::priority);
    CHECK(priority.ticket_id == 123);
    CHECK(priority.choice == "high");

    auto const group = as<CardAction>(
        parse_agent_request(Source::slack_interaction,
                            card_click(select("ticket_group", "77:Content support: EMEA")).dump()));
    CHECK(group.kind == Kind::group);
    CHECK(group.ticket_id == 77);
    CHECK(group.choice == "Content support: EMEA");
}

TEST_CASE("agent request: the card message comes from message.ts when the container has none") {
    auto payload = card_click(button("ticket_take", "9"));
    payload["container"].erase("message_ts");
    payload["container"].erase("channel_id");
    payload["channel"] = nullptr;
    payload["team"] = nullptr;
    payload["message"] = {{"type", "message"}, {"ts", "1700000002.000200"}};
    auto const action =
        as<CardAction>(parse_agent_request(Source::slack_interaction, payload.dump()));
    CHECK(action.card_ts == "1700000002.000200");
    CHECK(action.channel.empty());
    CHECK(action.team == "T111");  // from user.team_id
}

TEST_CASE("agent request: the solve modal becomes SolveSubmitted") {
    auto const solved = as<SolveSubmitted>(parse_agent_request(
        Source::slack_interaction, solve_submission(json("Fixed in PR 42")).dump()));
    CHECK(solved.ticket_id == 123);
    CHECK(solved.channel == "C0SUPPORT");
    CHECK(solved.card_ts == "1700000002.000200");
    CHECK(solved.note == "Fixed in PR 42");
    CHECK(solved.team == "T111");
    CHECK(solved.user == "W111");

    auto const empty = as<SolveSubmitted>(
        parse_agent_request(Source::slack_interaction, solve_submission(json(nullptr)).dump()));
    CHECK(empty.note.empty());
    auto const missing = as<SolveSubmitted>(
        parse_agent_request(Source::slack_interaction, solve_submission(std::nullopt).dump()));
    CHECK(missing.note.empty());

    auto const markup = as<SolveSubmitted>(parse_agent_request(
        Source::slack_interaction, solve_submission(json("<!channel> R&D fixed it")).dump()));
    CHECK(markup.note == "&lt;!channel&gt; R&amp;D fixed it");  // stays text, as Slack escapes messages
}

TEST_CASE("agent request: anything else is nullopt and never throws") {
    auto const other_view =
        read_file(spec_path("slack/samples/interactivity/view_submission.payload.json"));
    auto const other_action =
        read_file(spec_path("slack/samples/interactivity/block_actions.payload.json"));
    auto const shortcut =
        read_file(spec_path("slack/samples/interactivity/message_action.payload.json"));
    auto bad_metadata = solve_submission(json("x"));
    bad_metadata["view"]["private_metadata"] = "{\"ticket\":\"abc\"}";
    auto no_actions = card_click(button("ticket_take", "1"));
    no_actions["actions"] = json::array();
    auto not_array = card_click(button("ticket_take", "1"));
    not_array["actions"] = "ticket_take";

    std::vector<std::string> const interactions{
        "",
        "{",
        "[]",
        "null",
        "\xff\xfe\x00garbage",
        R"({"type":42})",
        R"({"type":"block_actions","actions":[42]})",
        other_view,
        other_action,
        shortcut,
        bad_metadata.dump(),
        no_actions.dump(),
        not_array.dump(),
        card_click(button("ticket_take", "abc")).dump(),
        card_click(button("ticket_take", "-5")).dump(),
        card_click(button("ticket_take", "0")).dump(),
        card_click(button("ticket_take", "+5")).dump(),
        card_click(button("ticket_take", "99999999999999999999999")).dump(),
        card_click(select("ticket_priority", "high")).dump(),
        card_click(select("ticket_priority", "123:")).dump(),
        card_click(select("ticket_group", ":Content")).dump(),
        command_sample(),
    };
    for (auto const& payload : interactions) {
        CAPTURE(payload);
        std::optional<AgentRequest> parsed;
        CHECK_NOTHROW(parsed = parse_agent_request(Source::slack_interaction, payload));
        CHECK_FALSE(parsed.has_value());
    }

    std::vector<std::string> const commands{
        "", "%", "%zz=1", "text=take+1", "user_id=&command=%2Fticket", other_action};
    for (auto const& payload : commands) {
        CAPTURE(payload);
        std::optional<AgentRequest> parsed;
        CHECK_NOTHROW(parsed = parse_agent_request(Source::slack_command, payload));
        CHECK_FALSE(parsed.has_value());
    }
    CHECK_FALSE(parse_agent_request(Source::slack_event, command_sample()).has_value());
    CHECK_FALSE(parse_agent_request(Source::zendesk_webhook, other_action).has_value());
}
