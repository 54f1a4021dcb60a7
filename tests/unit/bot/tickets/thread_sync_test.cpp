#include <doctest/doctest.h>

#include "tests/unit/bot/tickets/flow_harness.hpp"

using tb::bot::ApiError;
using tb::bot::JobOutcome;
using tb::testing::FlowHarness;
using Kind = JobOutcome::Kind;

namespace {

constexpr char const* kRoot = "1700000100.000100";

// A thread in `channel` with a ticket; returns the ticket id.
tb::bot::TicketId open_thread(FlowHarness& h, std::string const& channel = "C0PARTNER") {
    h.message(channel, kRoot, "U1", "login fails");
    REQUIRE(h.run(FlowHarness::reaction(channel, kRoot), "open-" + channel).kind == Kind::done);
    return h.desk.tickets().back().ticket.id;
}

}  // namespace

TEST_CASE("a reply in a ticket's thread becomes a public comment by the matched Zendesk user") {
    FlowHarness h;
    auto const sam = h.desk.add_user("Sam Roe", "sam@gov.example");
    auto const id = open_thread(h);
    auto reply = FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "Fixed in <https://github.com/x/pull/1|PR 1>");
    reply.message.files.push_back({"F9", "trace.txt", "text/plain", 5, "https://files/F9", "https://perma/F9"});
    CHECK(h.run(reply, "Ev-reply").kind == Kind::done);
    auto const ticket = h.desk.tickets().front();
    REQUIRE(ticket.ticket.id == id);
    REQUIRE(ticket.comments.size() == 1);
    auto const& c = ticket.comments.front();
    CHECK(c.is_public);
    CHECK(c.author_id == sam);
    CHECK(c.body.find("Sam Roe replied in Slack") != std::string::npos);
    CHECK(c.body.find("Fixed in PR 1 (https://github.com/x/pull/1)") != std::string::npos);
    CHECK(c.body.find("File trace.txt: https://perma/F9") != std::string::npos);
    // Delivered again: nothing new.
    CHECK(h.run(reply, "Ev-reply-again").kind == Kind::done);
    CHECK(h.desk.tickets().front().comments.size() == 1);
}

TEST_CASE("the channel's thread_replies setting picks public, internal or nothing") {
    FlowHarness h;
    open_thread(h, "C0INTERNAL");
    open_thread(h, "C0QUIET");
    h.run(FlowHarness::reply("C0INTERNAL", "1700000200.000100", kRoot, "U2", "internal words"));
    h.run(FlowHarness::reply("C0QUIET", "1700000200.000100", kRoot, "U2", "quiet words"));
    auto const tickets = h.desk.tickets();
    REQUIRE(tickets.size() == 2);
    REQUIRE(tickets[0].comments.size() == 1);
    CHECK_FALSE(tickets[0].comments[0].is_public);
    CHECK(tickets[1].comments.empty());
}

TEST_CASE("bot messages and replies in threads without a ticket are not copied") {
    FlowHarness h;
    open_thread(h);
    auto from_bot = FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "UBOT", "card text");
    auto from_app = FlowHarness::reply("C0PARTNER", "1700000201.000100", kRoot, "U9", "app text");
    from_app.message.bot_id = "B9";
    h.run(from_bot);
    h.run(from_app);
    h.run(FlowHarness::reply("C0PARTNER", "1700000300.000100", "1700000299.000100", "U2", "other thread"));
    CHECK(h.desk.tickets().front().comments.empty());
    CHECK(h.observer.ignored_reasons ==
          std::vector<std::string>{"bot message", "bot message", "thread without ticket"});
}

TEST_CASE("messages already in the ticket are not copied again") {
    FlowHarness h;
    h.message("C0PARTNER", kRoot, "U1", "login fails");
    h.message("C0PARTNER", "1700000200.000100", "U2", "which partner?", kRoot);
    h.run(FlowHarness::reaction("C0PARTNER", kRoot));
    h.run(FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "which partner?"));
    CHECK(h.desk.tickets().front().comments.empty());
}

TEST_CASE("edits and deletions of copied replies are noted internally") {
    FlowHarness h;
    open_thread(h);
    h.run(FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "it is broken"));
    tb::bot::MessageEdited edit{"T1", "C0PARTNER", "1700000200.000100", kRoot, "U2", "it is fixed"};
    CHECK(h.run(edit).kind == Kind::done);
    tb::bot::MessageDeleted deletion{"T1", "C0PARTNER", "1700000200.000100", kRoot};
    CHECK(h.run(deletion).kind == Kind::done);
    tb::bot::MessageEdited unrelated{"T1", "C0PARTNER", "1700000999.000100", kRoot, "U2", "x"};
    h.run(unrelated);
    auto const comments = h.desk.tickets().front().comments;
    REQUIRE(comments.size() == 3);
    CHECK_FALSE(comments[1].is_public);
    CHECK(comments[1].body.find("Before: it is broken\nNow: it is fixed") != std::string::npos);
    CHECK_FALSE(comments[2].is_public);
    CHECK(comments[2].body.find("was deleted in Slack") != std::string::npos);
    CHECK(comments[2].body.find("It said: it is fixed") != std::string::npos);
}

TEST_CASE("a reply on a closed ticket's thread opens a linked follow-up and the card points to it") {
    FlowHarness h;
    auto const closed = open_thread(h);
    h.desk.set_status(closed, "closed");
    CHECK(h.run(FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U1", "it broke again")).kind ==
          Kind::done);
    auto const tickets = h.desk.tickets();
    REQUIRE(tickets.size() == 2);
    auto const& follow = tickets[1];
    CHECK(follow.created.follow_up_of == closed);
    CHECK(follow.created.comment.body.find("it broke again") != std::string::npos);
    auto const updates = h.chat.posted("update");
    REQUIRE(updates.size() == 1);
    CHECK(updates[0].card.ticket_id == follow.ticket.id);
    CHECK(updates[0].card.follow_up_of == closed);
    // Later replies go to the follow-up.
    h.run(FlowHarness::reply("C0PARTNER", "1700000300.000100", kRoot, "U1", "still broken"));
    REQUIRE(h.desk.tickets()[1].comments.size() == 1);
}

TEST_CASE("the requester's reply reopens a solved ticket, then someone else's does not") {
    FlowHarness h;
    h.desk.add_user("Alex Doe", "alex@partner.example");
    h.desk.add_user("Sam Roe", "sam@gov.example");
    auto const id = open_thread(h);
    h.desk.set_status(id, "solved");
    h.run(FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "thanks"));
    CHECK(h.desk.tickets().front().ticket.status == "solved");
    h.run(FlowHarness::reply("C0PARTNER", "1700000300.000100", kRoot, "U1", "not fixed for us"));
    CHECK(h.desk.tickets().front().ticket.status == "open");
}

TEST_CASE("a flurry of replies is coalesced within Zendesk's per-ticket update budget, in order") {
    FlowHarness h;
    open_thread(h);
    std::vector<std::pair<tb::bot::SlackRequest, std::string>> flurry;
    for (int i = 0; i < 40; ++i) {
        auto const ts = "17000002" + std::to_string(10 + i) + ".000100";
        flurry.emplace_back(FlowHarness::reply("C0PARTNER", ts, kRoot, i % 2 ? "U1" : "U2", "reply " + std::to_string(i)),
                            "Ev" + std::to_string(i));
    }
    auto outcomes = h.run_all(std::move(flurry));
    // Jobs that waited for the budget run again later, as the runner would.
    h.clock.advance(std::chrono::minutes{11});
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 40; ++i) {
            if (outcomes[static_cast<std::size_t>(i)].kind != Kind::retry) continue;
            auto const ts = "17000002" + std::to_string(10 + i) + ".000100";
            outcomes[static_cast<std::size_t>(i)] =
                h.run(FlowHarness::reply("C0PARTNER", ts, kRoot, i % 2 ? "U1" : "U2", "reply " + std::to_string(i)));
        }
    }
    for (auto const& o : outcomes) CHECK(o.kind == Kind::done);
    auto const comments = h.desk.tickets().front().comments;
    CHECK(comments.size() <= 21);
    std::string all;
    for (auto const& c : comments) all += c.body + "\n";
    std::size_t at = 0;
    for (int i = 0; i < 40; ++i) {
        auto const found = all.find("reply " + std::to_string(i) + "\n", at);
        REQUIRE_MESSAGE(found != std::string::npos, "reply ", i, " lost or out of order");
        at = found;
    }
}

TEST_CASE("a 429 on a reply keeps it queued, then the retry writes it") {
    FlowHarness h;
    open_thread(h);
    h.desk.fail_next(tb::bot::api_error(ApiError::Kind::rate_limited, "429", std::chrono::seconds{7}));
    auto const first = h.run(FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "one"));
    CHECK(first.kind == Kind::retry);
    CHECK(first.retry_after == std::chrono::milliseconds{7000});
    CHECK(h.run(FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "one")).kind == Kind::done);
    REQUIRE(h.desk.tickets().front().comments.size() == 1);
}

TEST_CASE("a reply whose write went unanswered is not written again when Zendesk had taken it") {
    FlowHarness h;
    auto const id = open_thread(h);
    h.desk.lose_next_answer(tb::bot::api_error(ApiError::Kind::unavailable, "timed out"));
    auto const reply = FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "Fixed in  the\nnext release");
    CHECK(h.run(reply, "Ev-reply").kind == Kind::retry);
    REQUIRE(h.desk.tickets().front().comments.size() == 1);  // Zendesk has it; the bridge does not know

    // The job's retry, and a later reply in the same thread: each reaches Zendesk once.
    CHECK(h.run(reply, "Ev-reply").kind == Kind::done);
    CHECK(h.run(FlowHarness::reply("C0PARTNER", "1700000300.000100", kRoot, "U2", "and one more"), "Ev-more").kind ==
          Kind::done);
    auto const ticket = h.desk.tickets().front();
    REQUIRE(ticket.ticket.id == id);
    REQUIRE(ticket.comments.size() == 2);
    CHECK(ticket.comments[0].body.find("next release") != std::string::npos);
    CHECK(ticket.comments[1].body.find("next release") == std::string::npos);
    CHECK(ticket.comments[1].body.find("and one more") != std::string::npos);
}

TEST_CASE("a reply whose write failed before Zendesk took it is written on the retry") {
    FlowHarness h;
    open_thread(h);
    auto const reads_before = h.desk.comment_reads();
    h.desk.fail_next(tb::bot::api_error(ApiError::Kind::unavailable, "503"));
    auto const reply = FlowHarness::reply("C0PARTNER", "1700000200.000100", kRoot, "U2", "one");
    // The failure may come at the ticket read or at the write; either way the retry writes it once.
    CHECK(h.run(reply, "Ev-reply").kind == Kind::retry);
    CHECK(h.run(reply, "Ev-reply").kind == Kind::done);
    REQUIRE(h.desk.tickets().front().comments.size() == 1);
    CHECK(h.desk.tickets().front().comments[0].body.find("one") != std::string::npos);
    CHECK(h.desk.comment_reads() - reads_before <= 1);
}
