#pragma once

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "bot/tickets/ticket_flows.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_chat.hpp"
#include "tests/fakes/memory_desk.hpp"
#include "tests/fakes/memory_ledger.hpp"

namespace tb::testing {

struct CountingObserver final : bot::FlowObserver {
    std::vector<std::string> ignored_reasons;
    std::vector<bot::TicketId> opened;
    void ignored(std::string_view reason) override { ignored_reasons.emplace_back(reason); }
    void ticket_opened(bot::TicketId id, bot::ThreadKey const&) override { opened.push_back(id); }
};

// The ticket flows over in-memory Slack, Zendesk and ledger, on a local io_context.
struct FlowHarness {
    boost::asio::io_context io;
    bot::Settings settings;
    fakes::FakeClock clock;
    fakes::MemoryChat chat;
    fakes::MemoryDesk desk;
    fakes::MemoryLedger ledger;
    CountingObserver observer;
    std::optional<bot::TicketFlows> flows;
    bot::GroupId partner_group = 0;
    bot::GroupId security_group = 0;

    FlowHarness() {
        settings.zendesk.tags = {"slack"};
        bot::ChannelSettings partner;
        partner.id = "C0PARTNER";
        partner.name = "login-partner-support";
        partner.group = "Partnerships Engineering";
        settings.slack.channels.push_back(partner);
        bot::ChannelSettings internal = partner;
        internal.id = "C0INTERNAL";
        internal.name = "internal";
        internal.thread_replies = bot::ThreadReplies::internal_note;
        settings.slack.channels.push_back(internal);
        bot::ChannelSettings quiet = partner;
        quiet.id = "C0QUIET";
        quiet.thread_replies = bot::ThreadReplies::off;
        settings.slack.channels.push_back(quiet);
        settings.triage.push_back({{"security"}, {}, "3rd Line--Cyber Security", bot::Priority::high, {}});
        partner_group = desk.add_group("Partnerships Engineering");
        security_group = desk.add_group("3rd Line--Cyber Security");
        chat.add_user({"U1", "alex", "Alex Doe", "alex@partner.example", false});
        chat.add_user({"U2", "sam", "Sam Roe", "sam@gov.example", false});
        flows.emplace(settings, chat, desk, ledger, clock, observer);
    }

    void message(std::string channel, std::string ts, std::string user, std::string text,
                 std::string thread_ts = {}, std::vector<bot::ChatFile> files = {}) {
        bot::ChatMessage m;
        m.channel = std::move(channel);
        m.ts = std::move(ts);
        m.user = std::move(user);
        m.text = std::move(text);
        m.thread_ts = std::move(thread_ts);
        m.files = std::move(files);
        chat.add_message(std::move(m));
    }

    static bot::ReactionAdded reaction(std::string channel, std::string ts, std::string user = "U2",
                                       std::string emoji = "ticket") {
        return {"T1", std::move(channel), std::move(ts), std::move(user), std::move(emoji)};
    }

    static bot::ThreadReply reply(std::string channel, std::string ts, std::string thread_ts, std::string user,
                                  std::string text) {
        bot::ThreadReply r;
        r.team = "T1";
        r.message.channel = std::move(channel);
        r.message.ts = std::move(ts);
        r.message.thread_ts = std::move(thread_ts);
        r.message.user = std::move(user);
        r.message.text = std::move(text);
        return r;
    }

    // Runs requests concurrently to their outcomes.
    std::vector<bot::JobOutcome> run_all(std::vector<std::pair<bot::SlackRequest, std::string>> requests) {
        std::vector<bot::JobOutcome> outcomes(requests.size());
        std::exception_ptr failure;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            auto work = flows->handle(std::move(requests[i].first), requests[i].second);
            boost::asio::co_spawn(io, std::move(work), [&outcomes, &failure, i](std::exception_ptr e, bot::JobOutcome o) {
                if (e) failure = e;
                outcomes[i] = std::move(o);
            });
        }
        io.restart();
        io.run();
        if (failure) std::rethrow_exception(failure);
        return outcomes;
    }

    bot::JobOutcome run(bot::SlackRequest request, std::string delivery = "Ev1") {
        std::vector<std::pair<bot::SlackRequest, std::string>> one;
        one.emplace_back(std::move(request), std::move(delivery));
        return run_all(std::move(one)).front();
    }
};

}  // namespace tb::testing
