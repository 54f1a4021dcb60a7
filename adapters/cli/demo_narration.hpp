#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "adapters/cli/demo_calls.hpp"
#include "adapters/cli/demo_world.hpp"
#include "bot/config/settings.hpp"

namespace tb::cli::demo {

using Millis = std::chrono::milliseconds;

// Tells a newcomer, step by step, what happened in Slack and Zendesk, from the fakes' records.
class Narrator {
public:
    Narrator(std::ostream& out, DemoWorld const& world, bot::Settings const& settings)
        : out_{out}, world_{world}, settings_{settings} {}

    void introduce(std::string const& service_url, std::string const& database_url);
    void partner_asks();
    void agent_reacts(LoopbackAnswer const& answer);
    void ticket_opened(Millis after);
    void card_posted(Millis after);
    void partner_replies(LoopbackAnswer const& answer);
    void reply_copied(Millis after);
    // An agent answers in Zendesk; Zendesk's webhook tells the service, which tells the thread.
    void agent_answers_in_zendesk(int step, LoopbackAnswer const& answer);
    void zendesk_reply_posted(Millis after);
    // An agent works the ticket from Slack: `/ticket take`, then `/ticket solve`.
    void agent_commands(int step, std::string const& command, LoopbackAnswer const& answer);
    void command_done(std::string const& step, Millis after);
    // Service levels on a faster clock: a second request nobody answers is warned about, then
    // announced as breached, once each.
    void sla_speeds_up(int step, std::int64_t speed, LoopbackAnswer const& answer);
    void sla_announced(std::string const& alert, Millis after, std::int64_t speed);
    void sla_once(std::size_t alerts);
    void api_calls();
    void finished(Millis total);
    void keeps_running(std::string const& service_url);

private:
    std::ostream& out_;
    DemoWorld const& world_;
    bot::Settings const& settings_;
};

}  // namespace tb::cli::demo
