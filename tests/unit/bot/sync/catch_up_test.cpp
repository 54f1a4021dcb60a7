#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/unit/bot/sync/sync_fixture.hpp"

namespace {

using tb::bot::JobOutcome;
using tb::testing::Sync;
using Kind = tb::bot::DeskEvent::Kind;

// The thread showed the ticket as it was when the bridge last drew its card.
void shown_now(Sync& s, tb::bot::TicketId id) {
    for (auto const& t : s.desk.tickets()) {
        if (t.ticket.id == id) REQUIRE(s.wait(s.ledger.show(tb::bot::shown_from(t.ticket))));
    }
}

}  // namespace

TEST_CASE("catch-up: fields changed while webhooks were missed get one line and the card, once") {
    Sync s;
    shown_now(s, s.ticket);
    s.desk.agent_edit(s.ticket, [&](tb::bot::Ticket& t) {
        t.status = "pending";
        t.priority = "high";
        t.assignee_id = s.kim;
    });
    CHECK(s.catch_up().kind == JobOutcome::Kind::done);
    auto const ref = "#" + std::to_string(s.ticket);
    CHECK(s.lines() == std::vector<std::string>{
                           ref + " changed in Zendesk while ticketbridge was not receiving its updates: "
                                 "Open → Pending · High priority · assigned to *Kim Agent*"});
    REQUIRE(s.chat.posted("update").size() == 1);
    CHECK(s.chat.posted("update").back().card.status == "pending");
    // The cursor moved on: nothing is read or told again, and the same ticket again tells nothing.
    CHECK(s.catch_up().kind == JobOutcome::Kind::done);
    auto const same = s.desk.tickets().front().ticket;
    CHECK(s.wait(s.sync->catch_up(same)).kind == JobOutcome::Kind::done);
    CHECK(s.lines().size() == 1);
    CHECK(s.chat.posted("update").size() == 1);
}

TEST_CASE("catch-up: agents' comments missed are posted once, the bridge's and the requester's are not") {
    Sync s;
    shown_now(s, s.ticket);
    auto const requester = s.desk.add_user("Pat Partner", "pat@partner.example", "end-user");
    auto const reply = s.desk.agent_comment(s.ticket, s.kim, "Could you send the SAML response?");
    s.desk.agent_comment(s.ticket, s.kim, "internal: cert expired", false);
    s.desk.agent_comment(s.ticket, requester, "Thanks, attached");
    REQUIRE(s.wait(s.desk.comment(s.ticket, {"Pat wrote in Slack", true, s.kim, {}}, {})).has_value());  // the API
    CHECK(s.catch_up().kind == JobOutcome::Kind::done);
    CHECK(s.lines() == std::vector<std::string>{"*Kim Agent* replied in Zendesk:\n>Could you send the SAML response?"});
    // Its webhook, arriving late, is the same comment: not posted again.
    auto late = s.comment(true, "Could you send the SAML response?");
    late.comment_id = reply;
    s.run(late, "ev-late");
    CHECK(s.lines().size() == 1);
    CHECK(s.chat.posted("update").empty());  // comments alone do not change the card
}

TEST_CASE("catch-up: a late webhook for a change a catch-up told is not posted, a newer one is") {
    Sync s;
    shown_now(s, s.ticket);
    s.desk.now = s.clock.now();
    s.desk.agent_edit(s.ticket, [](tb::bot::Ticket& t) { t.status = "pending"; });
    s.catch_up();
    REQUIRE(s.lines().size() == 1);
    auto const told_at = s.desk.tickets().front().ticket.updated_at;
    auto late = s.change(Kind::status_changed, "open", "pending");
    late.time = told_at - std::chrono::milliseconds{400};
    s.run(late, "ev-late");
    CHECK(s.lines().size() == 1);
    auto newer = s.change(Kind::priority_changed, "normal", "urgent");
    newer.time = told_at + std::chrono::seconds{5};
    s.run(newer, "ev-new");
    CHECK(s.lines().size() == 2);
}

TEST_CASE("catch-up: Slack failing part-way resumes without telling anything twice") {
    Sync s;
    shown_now(s, s.ticket);
    s.desk.agent_comment(s.ticket, s.kim, "First answer");
    s.desk.agent_edit(s.ticket, [](tb::bot::Ticket& t) { t.priority = "low"; });
    s.chat.fail_nth(1, tb::bot::api_error(tb::bot::ApiError::Kind::unavailable, "slack down"));  // the line
    CHECK(s.catch_up().kind == JobOutcome::Kind::retry);
    CHECK(s.lines().size() == 1);
    CHECK(s.catch_up().kind == JobOutcome::Kind::done);
    CHECK(s.lines().size() == 2);
    CHECK(s.lines()[0] == "*Kim Agent* replied in Zendesk:\n>First answer");
    CHECK(s.lines()[1].find("Low priority") != std::string::npos);
    CHECK(s.catch_up().kind == JobOutcome::Kind::done);
    CHECK(s.lines().size() == 2);
}

TEST_CASE("catch-up: a deleted ticket is told once and its thread follows it no more") {
    Sync s;
    shown_now(s, s.ticket);
    s.desk.agent_edit(s.ticket, [](tb::bot::Ticket& t) { t.status = "deleted"; });
    s.catch_up();
    auto const ref = "#" + std::to_string(s.ticket);
    CHECK(s.lines() == std::vector<std::string>{ref + " was deleted in Zendesk. This thread no longer follows it."});
    REQUIRE(s.ledger.threads().size() == 1);
    CHECK(s.ledger.threads().front().closed);
    s.run(s.change(Kind::deleted, "", ""), "ev-deleted");  // its webhook too
    s.run(s.change(Kind::status_changed, "open", "solved"), "ev-after");
    CHECK(s.lines().size() == 1);
    CHECK(s.observer.reasons.back() == "zendesk ticket without a thread");
}

TEST_CASE("catch-up: tickets without a thread or without changes cost no Slack call, the first run looks back an hour") {
    Sync s;
    shown_now(s, s.ticket);
    s.desk.now = s.clock.now() - std::chrono::hours{2};
    auto const old = s.desk.add_ticket("Old one", "normal", s.desk.now);
    s.desk.agent_edit(old, [](tb::bot::Ticket& t) { t.status = "pending"; });  // two hours ago: not read
    s.desk.now = s.clock.now();
    auto const other = s.desk.add_ticket("No thread", "normal", s.clock.now());
    s.desk.agent_edit(other, [](tb::bot::Ticket& t) { t.status = "solved"; });
    CHECK(s.catch_up().kind == JobOutcome::Kind::done);
    CHECK(s.chat.posted("post").empty());
    CHECK(s.chat.posted("update").empty());
    auto const cursor = s.wait(s.ledger.cursor("zendesk_ticket_export"));
    REQUIRE(cursor.has_value());
    CHECK(cursor->has_value());
}

TEST_CASE("desk sync: a merged ticket closes its thread's mapping, later events find no thread") {
    Sync s;
    auto merged = s.change(Kind::merged, "", "");
    merged.merged_into = 4242;
    s.run(merged, "ev1");
    REQUIRE(s.ledger.threads().size() == 1);
    CHECK(s.ledger.threads().front().closed);
    s.run(s.change(Kind::priority_changed, "normal", "high"), "ev2");
    CHECK(s.lines().size() == 1);
    CHECK(s.chat.posted("update").empty());
}
