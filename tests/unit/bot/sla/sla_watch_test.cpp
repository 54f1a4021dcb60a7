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
