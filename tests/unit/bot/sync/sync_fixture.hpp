#pragma once

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "bot/sync/desk_sync.hpp"
#include "bot/sync/missed_changes.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_chat.hpp"
#include "tests/fakes/memory_desk.hpp"
#include "tests/fakes/memory_ledger.hpp"

namespace tb::testing {

using tb::bot::DeskEvent;
using tb::bot::JobOutcome;
using Kind = DeskEvent::Kind;

struct Ignored final : tb::bot::FlowObserver {
    std::vector<std::string> reasons;
    void ignored(std::string_view reason) override { reasons.emplace_back(reason); }
    void ticket_opened(tb::bot::TicketId, tb::bot::ThreadKey const&) override {}
};

// DeskSync over in-memory Slack, Zendesk and ledger: ticket `ticket` has a thread in C0PARTNER
// with its card; Kim is an agent; the bridge's API user is desk.self_id.
struct Sync {
    boost::asio::io_context io;
    tb::bot::Settings settings;
    tb::fakes::MemoryChat chat;
    tb::fakes::MemoryDesk desk;
    tb::fakes::MemoryLedger ledger;
    Ignored observer;
    std::optional<tb::bot::DeskSync> sync;
    tb::fakes::FakeClock clock;
    std::optional<tb::bot::MissedChanges> missed;
    tb::bot::DeskUserId kim = 0;
    tb::bot::TicketId ticket = 0;

    Sync() {
        tb::bot::ChannelSettings partner;
        partner.id = "C0PARTNER";
        settings.slack.channels.push_back(partner);
        tb::bot::ChannelSettings internal = partner;
        internal.id = "C0INTERNAL";
        internal.post_zendesk_notes = true;
        settings.slack.channels.push_back(internal);
        desk.now = clock.now();
        kim = desk.add_user("Kim Agent", "kim@gov.example", "agent");
        desk.add_group("Content support");
        ticket = desk.add_ticket("Login fails");
        thread("C0PARTNER", ticket);
        sync.emplace(settings, chat, desk, ledger, observer);
        missed.emplace(desk, ledger, *sync, clock);
    }

    void thread(std::string channel, tb::bot::TicketId id) {
        tb::bot::ThreadRecord record;
        record.key = {"T1", std::move(channel), "1700000000.000100"};
        record.ticket_id = id;
        record.card_ts = "1700000000.000200";
        boost::asio::co_spawn(io, ledger.save(record), [](std::exception_ptr e, auto&&...) {
            if (e) std::rethrow_exception(e);
        });
        io.restart();
        io.run();
    }

    JobOutcome run(DeskEvent event, std::string delivery) { return wait(sync->handle(std::move(event), std::move(delivery))); }
    JobOutcome catch_up() { return wait(missed->run()); }

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

    DeskEvent change(Kind kind, std::string previous, std::string current) const {
        DeskEvent e;
        e.kind = kind;
        e.ticket_id = ticket;
        e.actor_id = kim;
        e.previous = std::move(previous);
        e.current = std::move(current);
        return e;
    }
    DeskEvent comment(bool is_public, std::string body) const {
        DeskEvent e;
        e.kind = Kind::comment_added;
        e.ticket_id = ticket;
        e.actor_id = kim;
        e.comment_public = is_public;
        e.comment_body = std::move(body);
        e.comment_author_id = kim;
        e.comment_author = "Kim Agent";
        e.comment_by_staff = true;
        return e;
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (auto const& p : chat.posted("post")) out.push_back(p.text);
        return out;
    }
};

}  // namespace tb::testing
