#include "bot/sla/sla_watch.hpp"

#include <doctest/doctest.h>

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_chat.hpp"
#include "tests/fakes/memory_desk.hpp"
#include "tests/fakes/memory_ledger.hpp"
#include "tests/fakes/memory_sla_book.hpp"

namespace {

using namespace std::chrono_literals;
using tb::bot::JobOutcome;
using tb::bot::SlaEvent;

// Monday 23 November 2026, 09:00 UTC: the start of a working day in the default calendar
// (UTC, Monday to Friday, 09:00-17:30; first reply 2d, resolution 5d, warnings 4h ahead).
constexpr std::int64_t kMonday0900 = 1'795'424'400'000;

struct Watch {
    boost::asio::io_context io;
    tb::bot::Settings settings;
    tb::fakes::FakeClock clock{tb::bot::from_unix_ms(kMonday0900)};
    tb::fakes::MemoryChat chat;
    tb::fakes::MemoryDesk desk;
    tb::fakes::MemoryLedger ledger;
    tb::fakes::MemorySlaBook book;
    std::optional<tb::bot::WorkingCalendar> calendar;
    std::optional<tb::bot::SlaWatch> watch;
    tb::bot::TicketId ticket = 0;

    Watch() {
        settings.slack.alert_channel = "C0ALERTS";
        calendar.emplace(settings.sla.calendar);
        restart();
        desk.now = clock.now();
        ticket = open("Login fails for partners");
    }
    void restart() { watch.emplace(settings, *calendar, book, ledger, chat, desk, clock); }

    tb::bot::TicketId open(std::string subject) {
        auto const id = desk.add_ticket(std::move(subject), "normal", clock.now());
        tb::bot::ThreadRecord thread;
        thread.key = {"T1", "C0PARTNER", "1795424400.000100" + std::to_string(id)};
        thread.ticket_id = id;
        wait(ledger.save(thread));
        for (auto const& t : desk.tickets()) {
            if (t.ticket.id == id) REQUIRE(wait(watch->opened(t.ticket)));
        }
        return id;
    }
    void event(SlaEvent::Kind kind, std::string status = {}, std::optional<std::int64_t> comment = {}) {
        tb::bot::DeskEvent e;
        e.ticket_id = ticket;
        e.time = clock.now();
        if (kind == SlaEvent::Kind::status_changed) {
            e.kind = tb::bot::DeskEvent::Kind::status_changed;
            e.current = std::move(status);
        } else {
            e.kind = tb::bot::DeskEvent::Kind::comment_added;
            e.comment_public = true;
            e.comment_by_staff = kind == SlaEvent::Kind::agent_public_reply;
            e.comment_id = comment;
        }
        CHECK(wait(watch->observed(e, "ev" + std::to_string(++events))).kind == JobOutcome::Kind::done);
    }
    JobOutcome scan() { return wait(watch->scan()); }
    std::vector<std::string> alerts() const {
        std::vector<std::string> out;
        for (auto const& p : chat.posted("post")) {
            if (p.channel == "C0ALERTS") out.push_back(p.text);
        }
        return out;
    }
    std::size_t thread_lines() const { return chat.posted("post").size() - alerts().size(); }

    template <class T>
    T wait(boost::asio::awaitable<T> work) {
        T out{};
        std::exception_ptr failure;
        boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T o) {
            failure = e;
            out = std::move(o);
        });
        io.restart();
        io.run();
        if (failure) std::rethrow_exception(failure);
        return out;
    }
    int events = 0;
};

}  // namespace

TEST_CASE("sla watch: a first reply warning, then its breach, each announced once, also after a restart") {
    Watch w;
    auto const ref = "#" + std::to_string(w.ticket);
    // Due Tuesday 17:30 (two working days of 8.5 h), warned from 13:30.
    CHECK(w.book.next_due(w.ticket) == tb::bot::from_unix_ms(kMonday0900) + 24h + 4h + 30min);
    w.clock.advance(24h + 4h);  // Tuesday 13:00
    w.scan();
    CHECK(w.alerts().empty());
    w.clock.advance(31min);  // Tuesday 13:31
    w.scan();
    REQUIRE(w.alerts().size() == 1);
    CHECK(w.alerts()[0].starts_with(":hourglass_flowing_sand: <https://acme.zendesk.com/agent/tickets/" +
                                    std::to_string(w.ticket) + "|" + ref + "> “Login fails for partners”: "));
    CHECK(w.alerts()[0].find("first reply due Tue 24 Nov 17:30, 3h 59m of working time left. Assigned to nobody.") !=
          std::string::npos);
    CHECK(w.thread_lines() == 1);
    w.scan();
    CHECK(w.alerts().size() == 1);

    w.clock.advance(19h + 39min);  // Wednesday 09:10: 10 working minutes late
    w.scan();
    REQUIRE(w.alerts().size() == 2);
    CHECK(w.alerts()[1].starts_with(":rotating_light: "));
    CHECK(w.alerts()[1].find("first reply breached, due Tue 24 Nov 17:30 (10m of working time late)") !=
          std::string::npos);
    CHECK(w.thread_lines() == 2);
    w.restart();
    w.clock.advance(1h);
    w.scan();
    w.scan();
    CHECK(w.alerts().size() == 2);
    CHECK(w.thread_lines() == 2);
}

TEST_CASE("sla watch: ticks that overlap while Slack is slow announce once") {
    Watch w;
    w.chat.slow_posts = true;
    w.clock.advance(24h + 4h + 31min);  // Tuesday 13:31: the first reply warning is due
    std::vector<JobOutcome::Kind> outcomes;
    for (int i = 0; i < 2; ++i) {
        boost::asio::co_spawn(w.io, w.watch->scan(), [&](std::exception_ptr e, JobOutcome o) {
            CHECK_FALSE(e);
            outcomes.push_back(o.kind);
        });
    }
    w.io.restart();
    w.io.run();
    CHECK(outcomes == std::vector{JobOutcome::Kind::done, JobOutcome::Kind::done});
    CHECK(w.alerts().size() == 1);
    CHECK(w.thread_lines() == 1);
}

TEST_CASE("sla watch: an alert channel that refuses for good: the thread is still told, the tick ends failed with why") {
    Watch w;
    w.clock.advance(24h + 4h + 31min);  // the first reply warning is due
    w.chat.fail_next(tb::bot::api_error(tb::bot::ApiError::Kind::not_found, "channel_not_found"));
    auto const tick = w.scan();
    CHECK(tick.kind == JobOutcome::Kind::fail);
    CHECK(tick.reason.find("alert channel C0ALERTS") != std::string::npos);
    CHECK(tick.reason.find("channel_not_found") != std::string::npos);
    CHECK(w.alerts().empty());
    CHECK(w.thread_lines() == 1);
    CHECK(w.scan().kind == JobOutcome::Kind::done);  // told once; not tried again each tick
    CHECK(w.thread_lines() == 1);
}

TEST_CASE("sla watch: a ticket answered in time is never announced for its first reply") {
    Watch w;
    w.clock.advance(30min);
    w.event(SlaEvent::Kind::agent_public_reply, {}, 9001);
    w.event(SlaEvent::Kind::agent_public_reply, {}, 9001);  // the same comment again counts once
    CHECK(w.book.next_due(w.ticket) > w.clock.now() + 72h);  // only resolution is left, next week
    w.clock.advance(48h);
    w.scan();
    CHECK(w.alerts().empty());
}

TEST_CASE("sla watch: pending pauses the resolution clock, reopening resumes it with the time used") {
    Watch w;
    w.clock.advance(30min);
    w.event(SlaEvent::Kind::agent_public_reply, {}, 9001);
    w.clock.advance(30min);  // Monday 10:00, one working hour used
    w.event(SlaEvent::Kind::status_changed, "pending");
    w.clock.advance(24h * 8);  // Tuesday next week, past the deadline it would have had
    w.scan();
    CHECK(w.alerts().empty());
    w.event(SlaEvent::Kind::status_changed, "open");
    // 41.5 working hours are left from Tuesday 10:00: due the next Monday 17:30, warned from 13:30.
    CHECK(w.book.next_due(w.ticket) == w.clock.now() + 6 * 24h + 3h + 30min);
}

TEST_CASE("sla watch: a tick reads only the tickets that are due, not all that are followed") {
    Watch w;
    w.clock.advance(-96h);  // Thursday: first replies due Friday 17:30
    w.desk.now = w.clock.now();
    for (int i = 0; i < 3; ++i) w.open("Old " + std::to_string(i));
    w.clock.advance(96h);
    w.desk.now = w.clock.now();
    for (int i = 0; i < 300; ++i) w.open("New " + std::to_string(i));
    auto const before = w.book.reads();
    w.scan();
    CHECK(w.book.reads() - before == 3);
    CHECK(w.alerts().size() == 3);  // the three old ones breached their first reply
}

TEST_CASE("sla watch: what a catch-up finds (a reply and a status) joins the history once, so no false breach") {
    Watch w;
    auto const kim = w.desk.add_user("Kim Agent", "kim@gov.example", "agent");
    w.clock.advance(2h);
    w.desk.now = w.clock.now();
    w.desk.agent_comment(w.ticket, kim, "Looking into it");  // its webhook never came
    w.desk.agent_edit(w.ticket, [](tb::bot::Ticket& t) { t.status = "pending"; });
    auto const changed = w.desk.tickets().front().ticket;
    CHECK(w.wait(w.watch->caught_up(changed)).kind == JobOutcome::Kind::done);
    CHECK(w.wait(w.watch->caught_up(changed)).kind == JobOutcome::Kind::done);
    auto const record = w.wait(w.book.record(w.ticket)).value();
    REQUIRE(record);
    CHECK(record->history.events.size() == 2);
    w.clock.advance(48h);
    w.scan();
    CHECK(w.alerts().empty());  // first reply met, resolution paused while pending
}

TEST_CASE("sla watch: a catch-up of a ticket nobody touched since it was opened reads no comments") {
    Watch w;
    auto const untouched = w.desk.tickets().front().ticket;
    REQUIRE(untouched.updated_at == untouched.created_at);
    CHECK(w.wait(w.watch->caught_up(untouched)).kind == JobOutcome::Kind::done);
    CHECK(w.desk.comment_reads() == 0);
    w.clock.advance(1h);
    w.desk.now = w.clock.now();
    w.desk.agent_comment(w.ticket, w.desk.add_user("Kim Agent", "kim@gov.example", "agent"), "On it");
    CHECK(w.wait(w.watch->caught_up(w.desk.tickets().front().ticket)).kind == JobOutcome::Kind::done);
    CHECK(w.desk.comment_reads() == 1);
}

TEST_CASE("sla watch: /ticket sla N tells each clock, /ticket sla the month's attainment and what is late") {
    Watch w;
    auto const ref = "#" + std::to_string(w.ticket);
    auto const one = w.wait(w.watch->explain(w.ticket));
    CHECK_MESSAGE(one.starts_with("*Service levels of " + ref + "*"), one);
    CHECK(one.find("• first reply: due Tue 24 Nov 17:30, 17h 0m of working time left") != std::string::npos);
    CHECK(one.find("• pending too long: does not apply now") != std::string::npos);
    CHECK(w.wait(w.watch->explain(424242)) == "#424242 is not followed for service levels: only tickets opened from Slack are.");
    w.clock.advance(48h);  // Wednesday 09:00: the first reply is late
    auto const team = w.wait(w.watch->explain(std::nullopt));
    CHECK_MESSAGE(team.find("• first reply: 0.0% met (target 80.0%) ✗") != std::string::npos, team);
    CHECK(team.find("*Late, or due within a day:*\n• " + ref + " first reply due Tue 24 Nov 17:30 (late)") !=
          std::string::npos);
}

namespace {

// The ticket went pending on Monday 10:00 and its requester never answered: five working days
// later, on Monday 10:00 next week, it is pending too long.
void pending_from_monday_ten(Watch& w) {
    w.clock.advance(1h);
    w.event(SlaEvent::Kind::agent_public_reply, {}, 9001);
    w.event(SlaEvent::Kind::status_changed, "pending");
    w.desk.set_status(w.ticket, "pending");
}

std::vector<tb::fakes::MemoryChat::Posted> digests(Watch const& w) { return w.chat.posted("digest"); }

}  // namespace

TEST_CASE("sla watch: each working day at 09:30 the tickets pending too long are listed once, with their wait") {
    Watch w;
    pending_from_monday_ten(w);
    auto const open = w.open("Still open");  // not pending: never listed
    w.clock.advance(7 * 24h - 31min);        // Monday next week, 09:29: not yet overdue, and too early
    w.scan();
    CHECK(digests(w).empty());
    w.clock.advance(2min);  // 09:31: the day's digest, but nothing is overdue before 10:00
    w.scan();
    CHECK(digests(w).empty());
    w.clock.advance(3h);  // overdue since 10:00, but today's digest is done
    w.scan();
    CHECK(digests(w).empty());
    for (auto const& alert : w.alerts()) CHECK(alert.find("#" + std::to_string(w.ticket) + "|") == std::string::npos);

    w.clock.advance(24h - 3h);  // Tuesday 09:31
    w.scan();
    auto const posted = digests(w);
    REQUIRE(posted.size() == 1);
    auto const& digest = posted[0].digest;
    CHECK(posted[0].channel == "C0ALERTS");
    CHECK(digest.title == "1 ticket pending 5+ working days with no answer from the requester");
    CHECK(digest.note == w.settings.sla.pending_note);
    REQUIRE(digest.lines.size() == 1);
    CHECK(digest.lines[0].ticket_id == w.ticket);
    CHECK(digest.lines[0].subject == "Login fails for partners");
    CHECK(digest.lines[0].since == "Mon 23 Nov 10:00");
    CHECK(digest.lines[0].waited == "5 working days");
    CHECK(digest.lines[0].solved.empty());
    CHECK(w.desk.updates().empty());  // nothing is solved without a click
    w.scan();
    w.restart();
    w.scan();
    CHECK(digests(w).size() == 1);

    w.clock.advance(24h);  // Wednesday: listed again, now six days
    w.scan();
    REQUIRE(digests(w).size() == 2);
    CHECK(digests(w)[1].digest.lines.at(0).waited == "6 working days");
    w.clock.advance(3 * 24h);  // Saturday: no digest on days off
    w.scan();
    CHECK(digests(w).size() == 2);
    CHECK(open != w.ticket);
}

TEST_CASE("sla watch: the digest leaves out a ticket no longer pending in Zendesk, and one answered since") {
    Watch w;
    pending_from_monday_ten(w);
    auto const first = w.ticket;
    w.ticket = w.open("Answered later");
    pending_from_monday_ten(w);
    w.clock.advance(8 * 24h - 1h - 29min);  // Tuesday next week, 09:31 (the second went pending 1h later)
    w.desk.set_status(first, "open");         // reopened in Zendesk; its webhook has not come yet
    w.event(SlaEvent::Kind::requester_reply, {}, 9002);  // the requester answered the second
    w.scan();
    CHECK(digests(w).empty());
    CHECK(w.wait(w.book.pending_overdue(10)).value() == std::vector<tb::bot::TicketId>{first});
}

TEST_CASE("sla watch: pending_auto_solve solves them with the team's note at the digest and tells each thread once") {
    Watch w;
    w.settings.sla.pending_auto_solve = true;
    w.settings.sla.pending_note = "No answer for a week, so we are closing this. Reply to reopen.";
    w.restart();
    pending_from_monday_ten(w);
    w.clock.advance(8 * 24h - 29min);  // Tuesday next week, 09:31
    w.desk.fail_nth(2, tb::bot::api_error(tb::bot::ApiError::Kind::unavailable, "503"));  // the update, once
    CHECK(w.scan().kind == JobOutcome::Kind::retry);
    CHECK(w.scan().kind == JobOutcome::Kind::done);
    w.scan();
    auto const updates = w.desk.updates();
    REQUIRE(updates.size() == 1);
    CHECK(updates[0].change.status == "solved");
    CHECK(updates[0].change.assignee_id == w.desk.self_id);  // it had nobody; Zendesk solves only assigned tickets
    REQUIRE(updates[0].comment);
    CHECK(updates[0].comment->is_public);
    CHECK(updates[0].comment->body == "No answer for a week, so we are closing this. Reply to reopen.");
    CHECK(w.desk.tickets().front().ticket.status == "solved");
    REQUIRE(digests(w).size() == 1);
    CHECK(digests(w)[0].digest.lines.at(0).solved == "Solved automatically with the team's note.");
    std::vector<std::string> told;
    for (auto const& p : w.chat.posted("post")) {
        if (p.channel == "C0PARTNER") told.push_back(p.text);
    }
    REQUIRE(told.size() == 1);
    CHECK(told[0] == "#" + std::to_string(w.ticket) + " waited on the requester for 5 working days, so ticketbridge "
                     "solved it with the team's note:\n>>> No answer for a week, so we are closing this. Reply to reopen.");
}
