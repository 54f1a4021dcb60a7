#include "adapters/cli/service.hpp"

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "adapters/cli/command_observer.hpp"
#include "adapters/cli/flow_observer.hpp"
#include "adapters/cli/job_observer.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/intake.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/server.hpp"
#include "adapters/slack/agent_requests.hpp"
#include "adapters/slack/intake.hpp"
#include "adapters/slack/requests.hpp"
#include "adapters/slack/web_api.hpp"
#include "adapters/store/async_store.hpp"
#include "adapters/store/sqlite/sqlite_ledger.hpp"
#include "adapters/store/sqlite/sqlite_sla_book.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "adapters/zendesk/api.hpp"
#include "adapters/zendesk/intake.hpp"
#include "adapters/zendesk/webhook_events.hpp"
#include "bot/commands/ticket_commands.hpp"
#include "bot/jobs/runner.hpp"
#include "bot/jobs/schedule.hpp"
#include "bot/sla/sla_watch.hpp"
#include "bot/sync/desk_sync.hpp"
#include "bot/sync/missed_changes.hpp"
#include "bot/tickets/ticket_flows.hpp"

namespace tb::cli {
namespace {

namespace asio = boost::asio;
using http::bhttp::status;
using http::bhttp::verb;

std::filesystem::path sqlite_path(std::string const& database_url) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (!database_url.starts_with(kSqlite)) {
        throw std::runtime_error("DATABASE_URL: only sqlite:PATH is supported by this build");
    }
    auto path = database_url.substr(kSqlite.size());
    if (path.starts_with("//")) path = path.substr(2);
    return path;
}

http::ServerLimits limits_from(bot::ServerSettings const& s) {
    http::ServerLimits limits;
    limits.max_body_bytes = s.max_body_bytes;
    limits.max_header_bytes = s.max_header_bytes;
    limits.read_timeout = s.read_timeout;
    limits.idle_timeout = s.idle_timeout;
    limits.max_connections = s.max_connections;
    return limits;
}

struct Handlers {
    bot::TicketFlows& flows;
    bot::TicketCommands& commands;
    bot::DeskSync& sync;
    bot::MissedChanges& missed;
    bot::SlaWatch& sla;
    bot::FlowObserver& observer;
};

// A scheduled task's next run starts where this one stopped; retrying as well would pile runs
// up while Zendesk or Slack is away.
bot::JobOutcome settled(bot::JobOutcome outcome, std::string_view task) {
    if (outcome.kind != bot::JobOutcome::Kind::retry) return outcome;
    spdlog::warn("{} stopped early ({}); the next run continues", task, outcome.reason);
    auto done = bot::JobOutcome::done();
    done.reach = outcome.reach;  // still a sign of an outage, if it was one
    return done;
}

// Agents' commands, buttons and forms go to the ticket commands, Zendesk's ticket events to the
// sync, other Slack deliveries to the ticket flows.
asio::awaitable<bot::JobOutcome> dispatch(Handlers handlers, bot::Job job) {
    auto& flows = handlers.flows;
    auto& commands = handlers.commands;
    if (job.source == bot::Source::scheduled) {
        if (job.payload == bot::kCatchUpTask) co_return settled(co_await handlers.missed.run(), job.payload);
        if (job.payload == bot::kSlaScanTask) co_return settled(co_await handlers.sla.scan(), job.payload);
        spdlog::warn("job {}: no scheduled task is called {}", job.id, job.payload);
        co_return bot::JobOutcome::done();
    }
    if (job.source == bot::Source::zendesk_webhook) {
        auto event = zendesk::parse_desk_event(job.payload);
        if (!event) {
            handlers.observer.ignored("zendesk event not about a ticket");
            co_return bot::JobOutcome::done();
        }
        auto const synced = co_await handlers.sync.handle(*event, job.delivery_id);
        if (synced.kind != bot::JobOutcome::Kind::done) co_return synced;
        co_return co_await handlers.sla.observed(std::move(*event), std::move(job.delivery_id));
    }
    if (job.source == bot::Source::slack_command || job.source == bot::Source::slack_interaction) {
        if (auto request = slack::parse_agent_request(job.source, job.payload)) {
            co_return co_await commands.handle(std::move(*request), std::move(job.delivery_id));
        }
    }
    if (job.source != bot::Source::slack_event && job.source != bot::Source::slack_interaction) {
        spdlog::debug("job {}: {} {} has no flow yet", job.id, bot::to_string(job.source), job.delivery_id);
        co_return bot::JobOutcome::done();
    }
    auto request = slack::parse_slack_request(job.source, job.payload);
    co_return co_await flows.handle(std::move(request), std::move(job.delivery_id));
}

asio::awaitable<std::vector<bot::FormProblem>> check_form(bot::TicketDesk& desk, bot::TicketForm form) {
    auto groups = co_await desk.group_names();
    co_return bot::validate(form, groups ? *groups : std::vector<std::string>{});
}

}  // namespace

std::shared_ptr<bot::FastClock> run_sla_faster(ServiceOptions& options, bot::Instant origin, std::int64_t speed) {
    auto fast = std::make_shared<bot::FastClock>(origin, speed);
    // A tick each SLA minute, but not more than one a second.
    auto const every = std::chrono::milliseconds{std::chrono::minutes{1}} / fast->speed();
    options.sla_scan_every = std::max<std::chrono::milliseconds>(every, std::chrono::seconds{1});
    options.sla_clock = fast;
    return fast;
}

Service::Service(ServiceOptions options) : options_{std::move(options)} {}
Service::~Service() = default;

int Service::run() {
    auto const& settings = options_.settings;
    auto const& secrets = options_.secrets;
    bot::SystemClock clock;
    http::Metrics metrics;
    http::describe_intake_metrics(metrics);
    metrics.describe("tb_inbox_depth", http::Metrics::Type::gauge, "Jobs waiting or running.");
    metrics.describe("tb_store_commits_total", http::Metrics::Type::counter,
                     "Write transactions committed; deliveries per commit shows how well they group.");
    metrics.describe("tb_jobs", http::Metrics::Type::gauge, "Jobs in the store by state.");

    auto const db_path = sqlite_path(secrets.database_url);
    store::AsyncStore store{store::make_sqlite_store(db_path), clock};
    auto ledger = store::make_sqlite_ledger(db_path);
    asio::io_context io{static_cast<int>(options_.network_threads)};

    http::HttpClient client{io.get_executor(), http::ClientSettings{},
                            outbound_counter(metrics, secrets.slack_api_url, secrets.zendesk_url)};
    auto chat = slack::make_slack_chat(client, secrets.slack_api_url, secrets.slack_bot_token);
    auto desks = zendesk::make_zendesk_desks(
        client, secrets.zendesk_url,
        zendesk::ZendeskAuth{secrets.zendesk_email, secrets.zendesk_api_token, secrets.zendesk_oauth_token},
        settings.zendesk.requests_per_minute);
    auto& desk = desks.bulk;
    LoggingFlowObserver flow_observer{metrics};
    bot::TicketFlows flows{settings, *chat, *desk, *ledger, clock, flow_observer};
    flows.answer_forms_with(*desks.interactive);
    LoggingCommandObserver command_observer{metrics};
    bot::TicketCommands commands{settings, *chat, *desks.interactive, *ledger, clock, command_observer};
    bot::DeskSync sync{settings, *chat, *desk, *ledger, flow_observer};
    bot::MissedChanges missed{*desk, *ledger, sync, clock};
    bot::WorkingCalendar const calendar{settings.sla.calendar};
    auto sla_book = store::make_sqlite_sla_book(db_path);
    bot::Clock const& sla_clock = options_.sla_clock ? *options_.sla_clock : clock;
    bot::SlaWatch sla{settings, calendar, *sla_book, *ledger, *chat, *desk, sla_clock};
    flows.on_opened([&sla](bot::Ticket ticket) { return sla.opened(std::move(ticket)); });
    missed.on_changed([&sla](bot::Ticket ticket) { return sla.caught_up(std::move(ticket)); });
    commands.on_sla([&sla](std::optional<bot::TicketId> id) { return sla.explain(id); });

    LoggingJobObserver observer{metrics};
    Handlers const handlers{flows, commands, sync, missed, sla, flow_observer};
    auto handler = [handlers](bot::Job job) { return dispatch(handlers, std::move(job)); };
    bot::JobRunner runner{io.get_executor(), store, clock, handler, observer, bot::RunnerSettings{}};
    http::IntakeContext context{store, metrics, clock,
                                [&runner](bot::Source source) { runner.wake(source); }};
    std::vector<bot::ScheduledTask> tasks{{bot::kCatchUpTask, settings.zendesk.catch_up_every},
                                          {bot::kSlaScanTask, options_.sla_scan_every}};
    bot::Scheduler scheduler{io.get_executor(), store, clock, std::move(tasks),
                             [&runner] { runner.wake(bot::Source::scheduled); }};
    auto form_check = [&desk = *desks.interactive](bot::TicketForm form) { return check_form(desk, std::move(form)); };
    slack::SlackIntake slack_intake{secrets.slack_signing_secret, context, form_check, &command_observer};
    zendesk::ZendeskIntake zendesk_intake{secrets.zendesk_webhook_secret, context};

    http::Router router{metrics};
    router.add(verb::post, "/slack/events", [&](http::Request r) { return slack_intake.events(std::move(r)); });
    router.add(verb::post, "/slack/commands", [&](http::Request r) { return slack_intake.commands(std::move(r)); });
    router.add(verb::post, "/slack/interactivity",
               [&](http::Request r) { return slack_intake.interactivity(std::move(r)); });
    router.add(verb::post, "/zendesk/webhook", [&](http::Request r) { return zendesk_intake.webhook(std::move(r)); });
    router.add(verb::get, "/healthz", [](http::Request r) -> asio::awaitable<http::Response> {
        co_return http::make_response(r, status::ok, "ok\n");
    });
    router.add(verb::get, "/readyz", [&store](http::Request r) -> asio::awaitable<http::Response> {
        auto const ping = co_await store.ping();
        co_return ping ? http::make_response(r, status::ok, "ready\n")
                       : http::make_response(r, status::service_unavailable, "store unavailable\n");
    });
    router.add(verb::get, "/metrics", [&](http::Request r) -> asio::awaitable<http::Response> {
        if (auto const stats = co_await store.stats()) {
            metrics.set("tb_inbox_depth", {}, static_cast<double>(stats->jobs_pending + stats->jobs_running));
            metrics.set("tb_jobs", {{"state", "pending"}}, static_cast<double>(stats->jobs_pending));
            metrics.set("tb_jobs", {{"state", "running"}}, static_cast<double>(stats->jobs_running));
            metrics.set("tb_jobs", {{"state", "dead"}}, static_cast<double>(stats->jobs_dead));
        }
        metrics.set("tb_store_commits_total", {}, static_cast<double>(store.commits()));
        co_return http::make_response(r, status::ok, metrics.render(),
                                      "text/plain; version=0.0.4; charset=utf-8");
    });

    auto const address = asio::ip::make_address(settings.listen.address);
    http::Server server{io, {address, settings.listen.port}, limits_from(settings.server),
                        router.as_handler(), metrics, options_.network_threads};
    spdlog::info("ticketbridge {} listening on {}:{} (store sqlite, {} watched channel(s))", TB_VERSION,
                 server.local_endpoint().address().to_string(), server.local_endpoint().port(),
                 settings.slack.channels.size());

    asio::signal_set signals{io, SIGINT, SIGTERM};
    signals.async_wait([&](error_code ec, int signal) {
        if (ec) return;
        spdlog::info("received signal {}: draining", signal);
        server.stop();
    });

    bool runner_done = false;
    asio::co_spawn(io, runner.run(), [&](std::exception_ptr) { runner_done = true; });
    asio::co_spawn(io, scheduler.run(), asio::detached);
    auto const grace = settings.server.shutdown_grace;
    auto lifecycle = [&]() -> asio::awaitable<void> {
        co_await server.run(grace);
        scheduler.stop();
        runner.stop();
        asio::steady_timer wait{io};
        while (!runner_done) {
            wait.expires_after(std::chrono::milliseconds{10});
            co_await wait.async_wait(http::use_nothrow);
        }
        signals.cancel();
    };
    asio::co_spawn(io, lifecycle(), asio::detached);

    std::vector<std::thread> extra;
    for (std::size_t i = 1; i < options_.network_threads; ++i) extra.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : extra) t.join();
    client.close_idle();
    store.shutdown();
    spdlog::info("stopped cleanly");
    return 0;
}

}  // namespace tb::cli
