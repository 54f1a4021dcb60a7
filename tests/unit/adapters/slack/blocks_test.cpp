#include "adapters/slack/blocks.hpp"

#include <set>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using tb::bot::TicketCard;
using tb::bot::TicketDraft;

}  // namespace

TEST_CASE("slack blocks: the card shows placeholders and a safe link") {
    TicketCard card;
    card.ticket_id = 7;
    card.url = "https://acme.zendesk.com/agent/tickets/7|evil";
    card.subject = "<!channel> help";
    card.status = "open";
    auto const blocks = tb::slack::card_blocks(card);
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0]["text"]["text"] == "*#7* &lt;!channel&gt; help");
    auto const& fields = blocks[1]["fields"];
    REQUIRE(fields.size() == 4);
    CHECK(fields[0]["text"] == "*Status*\nopen");
    CHECK(fields[1]["text"] == "*Priority*\n—");
    CHECK(fields[2]["text"] == "*Group*\n—");
    CHECK(fields[3]["text"] == "*Assignee*\n—");
    std::set<std::string> ids;
    for (auto const& button : blocks[2]["elements"]) {
        CHECK(button["value"] == "7");
        ids.insert(button["action_id"].get<std::string>());
    }
    CHECK(ids.size() == 5);
    CHECK(tb::slack::card_text(card) == "Ticket #7: &lt;!channel&gt; help (open)");

    card.follow_up_of = 3;
    auto const follow_up = tb::slack::card_blocks(card);
    REQUIRE(follow_up.size() == 4);
    CHECK(follow_up[2]["type"] == "context");
    CHECK(follow_up[2]["elements"][0]["text"] == "Follow-up of #3");
    CHECK(follow_up[3]["block_id"] == "ticket_actions");
}

TEST_CASE("slack blocks: the form keeps to Block Kit limits") {
    TicketDraft draft;
    draft.subject = std::string(200, 's');
    draft.group = "group 150";
    auto const long_name = std::string(80, 'g');
    draft.groups.push_back(long_name);
    for (int i = 0; i < 160; ++i) draft.groups.push_back("group " + std::to_string(i));
    auto const view = tb::slack::ticket_form_view(draft);
    auto const& subject = view["blocks"][0]["element"];
    CHECK(subject["initial_value"] == std::string(149, 's') + "…");
    auto const& group = view["blocks"][2]["element"];
    CHECK(group["options"].size() == 100);
    CHECK(group["options"][0]["text"]["text"] == std::string(74, 'g') + "…");
    CHECK(group["options"][0]["value"] == long_name);
    CHECK(group["options"][99]["value"] == "group 150");
    CHECK(group["initial_option"]["value"] == "group 150");

    TicketDraft none;
    none.group = "ignored";
    auto const without = tb::slack::ticket_form_view(none);
    CHECK(without["blocks"].size() == 2);
    CHECK_FALSE(without["blocks"][0]["element"].contains("initial_value"));
    CHECK(tb::slack::clip("héllo wörld", 5) == "héll…");
    CHECK(tb::slack::clip("héllo", 5) == "héllo");
}
