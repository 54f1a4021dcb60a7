#include <doctest/doctest.h>

#include "tests/unit/bot/tickets/flow_harness.hpp"

using tb::bot::ApiError;
using tb::bot::JobOutcome;
using tb::testing::FlowHarness;
using Kind = JobOutcome::Kind;

TEST_CASE("a ticket reaction opens one ticket with the message, permalink, triage and requester") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "Login fails for <@U2>'s users &amp; partners\nDetails follow");
    auto const outcome = h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"));
    CHECK(outcome.kind == Kind::done);

    auto const tickets = h.desk.tickets();
    REQUIRE(tickets.size() == 1);
    auto const& created = tickets.front().created;
    CHECK(created.subject == "Login fails for @Sam Roe's users & partners");
    CHECK(created.comment.is_public);
    CHECK(created.comment.body.find("Alex Doe wrote in #login-partner-support") != std::string::npos);
    CHECK(created.comment.body.find("Details follow") != std::string::npos);
    CHECK(created.comment.body.find("Slack thread: https://fake.slack.com/archives/C0PARTNER/p1700000100.000100") !=
          std::string::npos);
    CHECK(created.external_id == "slack:T1:C0PARTNER:1700000100.000100");
    CHECK(created.requester.email == "alex@partner.example");
    CHECK(created.requester.name == "Alex Doe");
    CHECK(created.group_id == h.partner_group);
    CHECK(created.priority == tb::bot::Priority::normal);
    CHECK(created.tags == std::vector<std::string>{"slack"});

    auto const cards = h.chat.posted("card");
    REQUIRE(cards.size() == 1);
    CHECK(cards[0].thread_ts == "1700000100.000100");
    CHECK(cards[0].card.ticket_id == tickets.front().ticket.id);
    CHECK(cards[0].card.group == "Partnerships Engineering");
    CHECK(cards[0].card.url == h.desk.agent_url(tickets.front().ticket.id));
    auto const reactions = h.chat.posted("react");
    REQUIRE(reactions.size() == 1);
    CHECK(reactions[0].text == "white_check_mark");
}

TEST_CASE("triage keywords route the ticket") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "Possible security hole in the login page");
    h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"));
    auto const created = h.desk.tickets().front().created;
    CHECK(created.group_id == h.security_group);
    CHECK(created.priority == tb::bot::Priority::high);
}

TEST_CASE("the same request run three times opens one ticket and one card") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "help");
    for (int i = 0; i < 3; ++i) CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"), "Ev1").kind == Kind::done);
    CHECK(h.desk.creates() == 1);
    CHECK(h.chat.posted("card").size() == 1);
    CHECK(h.chat.posted("post").empty());
}

TEST_CASE("twenty concurrent reactions on one thread open one ticket, then later ones are pointed to it once") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "help");
    h.message("C0PARTNER", "1700000101.000100", "U2", "same here", "1700000100.000100");
    std::vector<std::pair<tb::bot::SlackRequest, std::string>> requests;
    for (int i = 0; i < 20; ++i) {
        auto const on = i % 2 == 0 ? "1700000100.000100" : "1700000101.000100";
        requests.emplace_back(FlowHarness::reaction("C0PARTNER", on), "Ev" + std::to_string(i));
    }
    auto const outcomes = h.run_all(std::move(requests));
    for (auto const& o : outcomes) CHECK(o.kind == Kind::done);
    CHECK(h.desk.creates() == 1);
    CHECK(h.chat.posted("card").size() == 1);
    auto const notices = h.chat.posted("post");
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].text.find("already has ticket #100") != std::string::npos);
}

TEST_CASE("the thread is read once: a retry or another reaction on a ticketed root reads neither it nor the ticket") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "Login is broken");
    CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"), "Ev1").kind == Kind::done);
    CHECK(h.chat.thread_reads() == 1);
    CHECK(h.desk.gets() == 0);  // the card is drawn from the ticket Zendesk answered the create with
    CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"), "Ev1").kind == Kind::done);  // retried
    CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100", "U1"), "Ev2").kind == Kind::done);
    CHECK(h.chat.thread_reads() == 1);
    CHECK(h.desk.gets() == 0);
    CHECK(h.desk.creates() == 1);
    CHECK(h.chat.posted("card").size() == 1);
    CHECK(h.chat.posted("post").size() == 1);  // the second reaction is pointed to the ticket
}

TEST_CASE("a reaction on the third reply opens the root's ticket with the whole conversation") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "first: login fails");
    h.message("C0PARTNER", "1700000200.000100", "U2", "second: which partner?", "1700000100.000100");
    h.message("C0PARTNER", "1700000300.000100", "U1", "third: acme", "1700000100.000100");
    h.run(FlowHarness::reaction("C0PARTNER", "1700000300.000100"));
    auto const tickets = h.desk.tickets();
    REQUIRE(tickets.size() == 1);
    auto const& body = tickets.front().created.comment.body;
    auto const first = body.find("first: login fails");
    auto const second = body.find("second: which partner?");
    auto const third = body.find("third: acme");
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    REQUIRE(third != std::string::npos);
    CHECK(first < second);
    CHECK(second < third);
    CHECK(body.find("Sam Roe — 2023-11-14") != std::string::npos);
    CHECK(tickets.front().created.external_id == "slack:T1:C0PARTNER:1700000100.000100");
    CHECK(tickets.front().created.subject == "first: login fails");
    REQUIRE(h.chat.posted("card").size() == 1);
    CHECK(h.chat.posted("card")[0].thread_ts == "1700000100.000100");
}

TEST_CASE("other emoji, unwatched channels and the bot's own reactions are ignored") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "help");
    h.message("C0ELSEWHERE", "1700000100.000100", "U1", "help");
    h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100", "U2", "eyes"));
    h.run(FlowHarness::reaction("C0ELSEWHERE", "1700000100.000100"));
    h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100", "UBOT"));
    CHECK(h.desk.creates() == 0);
    CHECK(h.observer.ignored_reasons ==
          std::vector<std::string>{"other emoji", "unwatched channel", "own reaction"});
}

TEST_CASE("a retry after a crash between create and save finds the ticket by external_id") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "help");
    tb::bot::NewTicket earlier;
    earlier.subject = "help";
    earlier.external_id = "slack:T1:C0PARTNER:1700000100.000100";
    boost::asio::co_spawn(h.io, h.desk.create(earlier, "other-key"), [](std::exception_ptr, auto) {});
    h.io.run();
    REQUIRE(h.desk.creates() == 1);
    CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100")).kind == Kind::done);
    CHECK(h.desk.creates() == 1);
    CHECK(h.chat.posted("card").size() == 1);
}

TEST_CASE("a ticket Zendesk rejects is explained in the thread and the job fails") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "help");
    // Call 0 looks for an earlier ticket by external_id; call 1 is the create.
    h.desk.fail_nth(1, tb::bot::api_error(ApiError::Kind::rejected, "Requester: Email is invalid"));
    auto const outcome = h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"));
    CHECK(outcome.kind == Kind::fail);
    auto const posts = h.chat.posted("post");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].text.find("Requester: Email is invalid") != std::string::npos);
}

TEST_CASE("rate limits and outages make the job wait, with Retry-After obeyed") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "help");
    h.desk.fail_next(tb::bot::api_error(ApiError::Kind::rate_limited, "429", std::chrono::seconds{30}));
    auto const limited = h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"));
    CHECK(limited.kind == Kind::retry);
    CHECK(limited.retry_after == std::chrono::milliseconds{30'000});
    h.chat.fail_next(tb::bot::api_error(ApiError::Kind::unavailable, "503"));
    CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100")).kind == Kind::retry);
    CHECK(h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100")).kind == Kind::done);
    CHECK(h.desk.creates() == 1);
}

TEST_CASE("whichever Slack or Zendesk call fails, retries end with one ticket, one card, one reaction") {
    for (int n = 0; n < 14; ++n) {
        CAPTURE(n);
        FlowHarness h;
        h.message("C0PARTNER", "1700000100.000100", "U1", "help with a file", {},
                  {{"F1", "log.txt", "text/plain", 10, "https://files/F1", "https://perma/F1"}});
        h.chat.fail_nth(n, tb::bot::api_error(ApiError::Kind::unavailable, "down"));
        h.desk.fail_nth(n, tb::bot::api_error(ApiError::Kind::rate_limited, "429", std::chrono::seconds{1}));
        JobOutcome outcome;
        int attempts = 0;
        do {
            outcome = h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"));
        } while (outcome.kind == Kind::retry && ++attempts < 5);
        CHECK(outcome.kind == Kind::done);
        CHECK(h.desk.creates() == 1);
        CHECK(h.chat.posted("card").size() == 1);
        CHECK(h.chat.posted("react").size() == 1);
        CHECK(h.desk.tickets().front().created.comment.uploads.size() == 1);
    }
}

TEST_CASE("files on the message become uploads, then files over the cap become links") {
    FlowHarness h;
    h.message("C0PARTNER", "1700000100.000100", "U1", "see attached", {},
              {{"F1", "log.txt", "text/plain", 10, "https://files/F1", "https://perma/F1"},
               {"F2", "video.mp4", "video/mp4", std::int64_t{200} * 1024 * 1024, "https://files/F2", "https://perma/F2"}});
    h.run(FlowHarness::reaction("C0PARTNER", "1700000100.000100"));
    auto const created = h.desk.tickets().front().created;
    CHECK(created.comment.uploads == std::vector<std::string>{"token-log.txt"});
    CHECK(created.comment.body.find("Attached: log.txt") != std::string::npos);
    CHECK(created.comment.body.find("video.mp4 (200.0 MB) is over the 10.0 MB upload cap; open it in Slack: "
                                    "https://perma/F2") != std::string::npos);
}

TEST_CASE("the shortcut opens a form pre-filled by triage, or points to the existing ticket") {
    FlowHarness h;
    tb::bot::ShortcutUsed used{"T1", "C0PARTNER", "1700000100.000100", "", "security: tokens leak", "U2", "trig-1"};
    CHECK(h.run(used).kind == Kind::done);
    auto const forms = h.chat.posted("form");
    REQUIRE(forms.size() == 1);
    CHECK(forms[0].text == "trig-1");
    CHECK(forms[0].draft.subject == "security: tokens leak");
    CHECK(forms[0].draft.priority == tb::bot::Priority::high);
    CHECK(forms[0].draft.group == "3rd Line--Cyber Security");
    CHECK(forms[0].draft.groups.size() == 2);

    h.message("C0PARTNER", "1700000100.000100", "U1", "security: tokens leak");
    tb::bot::TicketForm form{"T1", "C0PARTNER", "1700000100.000100", "U2", "Tokens leak", "urgent", ""};
    CHECK(h.run(form, "view-1").kind == Kind::done);
    auto const created = h.desk.tickets().front().created;
    CHECK(created.subject == "Tokens leak");
    CHECK(created.priority == tb::bot::Priority::urgent);
    CHECK(created.group_id == h.security_group);  // triage still routes when the form leaves it
    CHECK(h.run(used, "shortcut-2").kind == Kind::done);
    auto const told = h.chat.posted("ephemeral");
    REQUIRE(told.size() == 1);
    CHECK(told[0].text.find("already has ticket #100") != std::string::npos);
}

TEST_CASE("the shortcut's group list comes through the desk for work somebody waits on") {
    FlowHarness h;
    tb::fakes::MemoryDesk interactive;
    interactive.add_group("Partnerships Engineering");
    h.flows->answer_forms_with(interactive);
    h.desk.fail_next(tb::bot::api_error(ApiError::Kind::rate_limited, "held back", std::chrono::seconds{20}));
    tb::bot::ShortcutUsed used{"T1", "C0PARTNER", "1700000100.000100", "", "help", "U2", "trig-1"};
    CHECK(h.run(used).kind == Kind::done);
    auto const forms = h.chat.posted("form");
    REQUIRE(forms.size() == 1);
    CHECK(forms[0].draft.groups == std::vector<std::string>{"Partnerships Engineering"});
}

TEST_CASE("an expired trigger tells the user to try again") {
    FlowHarness h;
    h.chat.fail_next(tb::bot::api_error(ApiError::Kind::rejected, "expired_trigger_id"));
    tb::bot::ShortcutUsed used{"T1", "C0PARTNER", "1700000100.000100", "", "help", "U2", "trig-1"};
    CHECK(h.run(used).kind == Kind::fail);
    auto const told = h.chat.posted("ephemeral");
    REQUIRE(told.size() == 1);
    CHECK(told[0].text.find("use the shortcut again") != std::string::npos);
}

TEST_CASE("form validation names each field's problem") {
    tb::bot::TicketForm form{"T1", "C1", "1.2", "U1", "  ", "highest", "Nope"};
    auto const problems = tb::bot::validate(form, {"Partnerships Engineering"});
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].field == "subject");
    CHECK(problems[1].field == "priority");
    CHECK(problems[2].field == "group");
    form.subject = "Login fails";
    form.priority = "high";
    form.group = "Partnerships Engineering";
    CHECK(tb::bot::validate(form, {"Partnerships Engineering"}).empty());
}
