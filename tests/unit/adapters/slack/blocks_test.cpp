#include "adapters/slack/blocks.hpp"

#include <set>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using tb::bot::SolveDraft;
using tb::bot::TicketCard;
using tb::bot::TicketDraft;
using tb::bot::TicketLine;
using tb::bot::TicketListing;

json const& element(json const& blocks, std::string const& action_id) {
    static json const none;
    for (auto const& block : blocks) {
        if (block["type"] != "actions") continue;
        for (auto const& e : block["elements"]) {
            if (e["action_id"] == action_id) return e;
        }
    }
    return none;
}

std::size_t text_chars(std::string const& text) {
    std::size_t n = 0;
    for (char const c : text) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    return n;
}

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
    for (auto const& element : blocks[2]["elements"]) {
        if (element["type"] == "button") CHECK(element["value"] == "7");
        ids.insert(element["action_id"].get<std::string>());
    }
    // No group choices: no group select (Slack refuses a select without options).
    CHECK(ids == std::set<std::string>{"ticket_take", "ticket_priority", "ticket_pending",
                                       "ticket_solve"});
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

TEST_CASE("slack blocks: the card's selects carry the ticket id and start at the current choice") {
    TicketCard card;
    card.ticket_id = 123;
    card.status = "open";
    card.priority = "Urgent";
    card.group = "group 140";
    for (int i = 0; i < 130; ++i) card.groups.push_back("group " + std::to_string(i));
    card.groups.push_back("group 140");
    card.groups.push_back(std::string(160, 'x'));  // cannot be an option value whole
    card.groups.push_back("group 3");              // a duplicate
    auto const blocks = tb::slack::card_blocks(card);

    auto const& priority = element(blocks, "ticket_priority");
    REQUIRE(priority.is_object());
    CHECK(priority["type"] == "static_select");
    REQUIRE(priority["options"].size() == 4);
    CHECK(priority["options"][0]["value"] == "123:low");
    CHECK(priority["options"][3]["value"] == "123:urgent");
    CHECK(priority["initial_option"] == priority["options"][3]);

    auto const& group = element(blocks, "ticket_group");
    REQUIRE(group.is_object());
    CHECK(group["type"] == "static_select");
    auto const& options = group["options"];
    CHECK(options.size() == 100);
    CHECK(options[0]["value"] == "123:group 0");
    CHECK(options[0]["text"]["text"] == "group 0");
    CHECK(options[99]["value"] == "123:group 140");
    CHECK(group["initial_option"] == options[99]);
    for (auto const& option : options) {
        CHECK(text_chars(option["value"].get<std::string>()) <= tb::slack::kMaxOptionValue);
        CHECK(text_chars(option["text"]["text"].get<std::string>()) <= tb::slack::kMaxOptionText);
    }
    for (char const* id : {"ticket_take", "ticket_pending", "ticket_solve"}) {
        CHECK(element(blocks, id)["type"] == "button");
        CHECK(element(blocks, id)["value"] == "123");
    }

    SUBCASE("no current choice: no initial option, and a current group not listed is added") {
        card.priority.clear();
        card.groups = {"Content support"};
        card.group = "Billing";
        auto const plain = tb::slack::card_blocks(card);
        CHECK_FALSE(element(plain, "ticket_priority").contains("initial_option"));
        auto const& groups = element(plain, "ticket_group");
        REQUIRE(groups["options"].size() == 2);
        CHECK(groups["options"][1]["value"] == "123:Billing");
        CHECK(groups["initial_option"]["value"] == "123:Billing");
        card.group.clear();
        CHECK_FALSE(
            element(tb::slack::card_blocks(card), "ticket_group").contains("initial_option"));
    }
}

TEST_CASE("slack blocks: the solve form") {
    SolveDraft draft;
    draft.ticket_id = 42;
    draft.subject = std::string(300, 'a');
    auto const view = tb::slack::solve_form_view(draft);
    CHECK(view["type"] == "modal");
    CHECK(view["callback_id"] == "solve_ticket");
    CHECK(text_chars(view["title"]["text"].get<std::string>()) <= 24);
    CHECK(json::parse(view["private_metadata"].get<std::string>()) ==
          json{{"ticket", 42}, {"channel", ""}, {"card_ts", ""}});
    REQUIRE(view["blocks"].size() == 2);
    CHECK(text_chars(view["blocks"][0]["text"]["text"].get<std::string>()) < 200);
    CHECK(view["blocks"][1]["element"]["multiline"] == true);
    CHECK(view["blocks"][1]["optional"] == true);
}

TEST_CASE("slack blocks: a listing keeps to 50 blocks and counts what is left out") {
    TicketListing listing;
    listing.title = std::string(200, 'T');
    listing.more = 10;
    for (int i = 1; i <= 80; ++i) {
        TicketLine line;
        line.ticket_id = i;
        line.url = "https://acme.zendesk.com/agent/tickets/" + std::to_string(i);
        line.subject = std::string(5000, 's');
        line.status = "open";
        line.age = "1d";
        listing.lines.push_back(line);
    }
    auto const blocks = tb::slack::listing_blocks(listing, "Your tickets:");
    REQUIRE(blocks.size() == tb::slack::kMaxBlocks);
    CHECK(blocks[0]["type"] == "header");
    CHECK(text_chars(blocks[0]["text"]["text"].get<std::string>()) <= 150);
    CHECK(blocks[1]["text"]["text"] == "Your tickets:");
    for (auto const& block : blocks) {
        if (block["type"] != "section") continue;
        CHECK(text_chars(block["text"]["text"].get<std::string>()) <= tb::slack::kMaxSectionText);
    }
    CHECK(blocks[2]["text"]["text"].get<std::string>().ends_with("\nopen · unassigned · 1d"));
    // 47 tickets shown: 33 left out plus the 10 that were never listed.
    CHECK(blocks.back()["type"] == "context");
    CHECK(blocks.back()["elements"][0]["text"] == "and 43 more");

    TicketListing empty;
    empty.title = "Breaching tickets";
    auto const none = tb::slack::listing_blocks(empty);
    REQUIRE(none.size() == 2);
    CHECK(none[1]["text"]["text"] == "No matching tickets.");
}

TEST_CASE("slack blocks: the pending digest has a confirmed Solve with note button per ticket, or what was done") {
    tb::bot::PendingDigest digest;
    digest.title = "2 tickets pending 5+ working days with no answer from the requester";
    digest.note = "No answer <for> a week";
    digest.lines.push_back({41, "https://acme.zendesk.com/agent/tickets/41", "Login <fails>", "Kim Agent",
                            "Mon 23 Nov 10:00", "6 working days", {}});
    digest.lines.push_back({42, "https://acme.zendesk.com/agent/tickets/42", "Logo", {}, "Tue 24 Nov 09:00",
                            "5 working days", "Solved automatically with the team's note."});
    auto const blocks = tb::slack::pending_digest_blocks(digest);
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0]["type"] == "header");
    CHECK(blocks[0]["text"]["text"] == digest.title);
    auto const first = blocks[1]["text"]["text"].get<std::string>();
    CHECK(first == "*<https://acme.zendesk.com/agent/tickets/41|#41>* Login &lt;fails&gt;\n"
                   "pending 6 working days (since Mon 23 Nov 10:00) · Kim Agent");
    auto const& button = blocks[1]["accessory"];
    CHECK(button["action_id"] == "sla_solve_pending");
    CHECK(button["value"] == "41");
    CHECK(button["text"]["text"] == "Solve with note");
    CHECK(button["confirm"]["text"]["text"] == "The requester gets this reply:\n>>> No answer &lt;for&gt; a week");
    CHECK_FALSE(blocks[2].contains("accessory"));
    CHECK(blocks[2]["text"]["text"].get<std::string>().ends_with("unassigned\nSolved automatically with the team's note."));

    digest.lines.assign(60, digest.lines[0]);
    digest.more = 5;
    auto const full = tb::slack::pending_digest_blocks(digest);
    CHECK(full.size() == 50);
    CHECK(full.back()["elements"][0]["text"] == "and 17 more");
}
