#include <doctest/doctest.h>

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/unit/bot/sync/sync_fixture.hpp"

namespace {

using tb::bot::DeskEvent;
using tb::bot::JobOutcome;
using tb::testing::Sync;
using Kind = DeskEvent::Kind;

}  // namespace

TEST_CASE("desk sync: each kind of change posts its line in the thread and redraws the card") {
    Sync s;
    auto const ref = "#" + std::to_string(s.ticket);
    auto assigned = s.change(Kind::assignee_changed, "", std::to_string(s.kim));
    assigned.current_id = s.kim;
    auto grouped = s.change(Kind::group_changed, "", "1");
    grouped.current_id = 1;
    std::vector<std::pair<DeskEvent, std::string>> cases{
        {s.change(Kind::status_changed, "open", "pending"), "*Kim Agent* changed " + ref + " from Open to Pending in Zendesk"},
        {s.change(Kind::status_changed, "open", "solved"), "*Kim Agent* solved " + ref + " in Zendesk"},
        {s.change(Kind::priority_changed, "normal", "urgent"), "*Kim Agent* set " + ref + " to Urgent priority in Zendesk"},
        {assigned, "*Kim Agent* assigned " + ref + " to *Kim Agent* in Zendesk"},
        {grouped, "*Kim Agent* moved " + ref + " to Content support in Zendesk"},
        {s.change(Kind::subject_changed, "Login fails", "Login <fails> for partners"),
         "*Kim Agent* renamed " + ref + " to “Login &lt;fails&gt; for partners” in Zendesk"},
    };
    int n = 0;
    for (auto const& [event, line] : cases) {
        CAPTURE(line);
        CHECK(s.run(event, "ev" + std::to_string(++n)).kind == JobOutcome::Kind::done);
        CHECK(s.lines().back() == line);
        CHECK(s.chat.posted("update").size() == static_cast<std::size_t>(n));
        CHECK(s.chat.posted("update").back().thread_ts == "1700000000.000200");
    }
}

TEST_CASE("desk sync: public comments are posted with the author, internal notes only where asked") {
    Sync s;
    s.run(s.comment(true, "We are on it.\nMore soon"), "ev1");
    CHECK(s.lines() == std::vector<std::string>{"*Kim Agent* replied in Zendesk:\n>We are on it.\n>More soon"});
    s.run(s.comment(false, "internal: check logs"), "ev2");
    CHECK(s.lines().size() == 1);
    CHECK(s.chat.posted("update").empty());  // a comment does not change the card
    auto const internal = s.desk.add_ticket("Internal one");
    s.thread("C0INTERNAL", internal);
    auto note = s.comment(false, "check logs");
    note.ticket_id = internal;
    s.run(note, "ev3");
    CHECK(s.lines().back() == "*Kim Agent* added an internal note in Zendesk:\n>check logs");
    auto requester = s.comment(true, "thanks, by e-mail");
    requester.comment_by_staff = false;
    s.run(requester, "ev4");
    CHECK(s.lines().size() == 2);
}

TEST_CASE("desk sync: a long comment is cut between UTF-8 characters") {
    std::string body(2999, 'a');
    body += "é and more";
    auto const line = tb::bot::comment_line("Kim", true, body);
    CHECK(line.find("\xC3\n") == std::string::npos);
    CHECK(line.ends_with(std::string(2999, 'a') + "\n>…"));
}

TEST_CASE("desk sync: changes and comments the bridge made itself are not echoed, the card still follows") {
    Sync s;
    auto ours = s.change(Kind::status_changed, "open", "solved");
    ours.actor_id = s.desk.self_id;
    s.run(ours, "ev1");
    auto copied = s.comment(true, "Pat replied in Slack");
    copied.actor_id = s.desk.self_id;
    s.run(copied, "ev2");
    CHECK(s.lines().empty());
    CHECK(s.chat.posted("update").size() == 1);
}

TEST_CASE("desk sync: the same delivery twice posts once, a retry after Slack failed posts once") {
    Sync s;
    auto const event = s.change(Kind::priority_changed, "normal", "high");
    s.run(event, "ev1");
    s.run(event, "ev1");
    CHECK(s.lines().size() == 1);
    s.chat.fail_nth(1, tb::bot::api_error(tb::bot::ApiError::Kind::rate_limited, "ratelimited", std::chrono::seconds{1}));
    auto const first = s.run(s.change(Kind::priority_changed, "high", "low"), "ev2");  // post ok, update fails
    CHECK(first.kind == JobOutcome::Kind::retry);
    s.run(s.change(Kind::priority_changed, "high", "low"), "ev2");
    CHECK(s.lines().size() == 2);
}

TEST_CASE("desk sync: tickets without a thread are ignored, merged and deleted tickets are told once") {
    Sync s;
    auto other = s.change(Kind::status_changed, "open", "pending");
    other.ticket_id = 99999;
    s.run(other, "ev1");
    CHECK(s.lines().empty());
    CHECK(s.observer.reasons == std::vector<std::string>{"zendesk ticket without a thread"});
    auto merged = s.change(Kind::merged, "", "");
    merged.merged_into = 4242;
    s.run(merged, "ev2");
    CHECK(s.lines().back() == "#" + std::to_string(s.ticket) + " was merged into #4242 in Zendesk. This thread no longer follows it.");
    s.run(s.change(Kind::deleted, "", ""), "ev3");  // a later soft_deleted says nothing more
    CHECK(s.lines().size() == 1);
}

TEST_CASE("desk sync: the card is drawn from the ticket as it is now, so a late event cannot move it back") {
    Sync s;
    s.desk.set_status(s.ticket, "solved");
    s.run(s.change(Kind::status_changed, "new", "open"), "late");
    REQUIRE(s.chat.posted("update").size() == 1);
    CHECK(s.chat.posted("update").back().card.status == "solved");
}
