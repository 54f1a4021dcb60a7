#include "adapters/cli/demo.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

#include "adapters/cli/demo_calls.hpp"
#include "adapters/cli/demo_narration.hpp"
#include "adapters/cli/demo_world.hpp"
#include "adapters/cli/service_thread.hpp"
#include "adapters/store/sqlite/sqlite_ledger.hpp"

namespace tb::cli {
namespace {

using namespace demo;
using SteadyClock = std::chrono::steady_clock;

constexpr std::chrono::seconds kStartTimeout{15};
constexpr std::int64_t kSlaSpeed = 1800;  // a second is half an hour

// Holds the SQLite file when no --db is given; removed with everything in it.
class TempDir {
public:
    TempDir() {
        auto pattern =
            (std::filesystem::temp_directory_path() / "ticketbridge-demo-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary directory like " + pattern);
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(TempDir const&) = delete;
    TempDir& operator=(TempDir const&) = delete;

    std::filesystem::path const& path() const { return path_; }

private:
    std::filesystem::path path_;
};

Millis since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<Millis>(SteadyClock::now() - start);
}

class Demo {
public:
    Demo(DemoOptions const& options, DemoWorld& world, ServiceThread& service)
        : options_{options}, world_{world}, service_{service} {}

    // How long after `start` `done` became true; nullopt when the step timed out or the service
    // ended.
    std::optional<Millis> wait_for(std::function<bool()> const& done,
                                   SteadyClock::time_point start) const {
        auto const deadline = SteadyClock::now() + options_.step_timeout;
        while (!service_.finished() && SteadyClock::now() < deadline) {
            if (done()) return since(start);
            std::this_thread::sleep_for(std::chrono::milliseconds{20});
        }
        return std::nullopt;
    }

    int fail(std::string const& what) const {
        std::cerr << "\ndemo: " << what << '\n';
        if (service_.finished() && !service_.failure().empty()) {
            std::cerr << "demo: the service stopped: " << service_.failure() << '\n';
        }
        auto violations = world_.slack().violations();
        auto const more = world_.zendesk().violations();
        violations.insert(violations.end(), more.begin(), more.end());
        for (auto const& v : violations)
            std::cerr << "demo: a call broke the published API: " << v << '\n';
        std::cerr << "demo: run `ticketbridge --log-level info demo` to see what the service did\n";
        service_.stop();
        return 1;
    }

    std::string timed_out(std::string const& step) const {
        return step + " did not happen within " + std::to_string(options_.step_timeout.count()) +
               " s";
    }

private:
    DemoOptions const& options_;
    DemoWorld& world_;
    ServiceThread& service_;
};

}  // namespace

int run_demo(DemoOptions options) {
    auto const started = SteadyClock::now();
    std::cout << std::unitbuf;
    if (auto const problem = specs_problem(); !problem.empty()) {
        std::cerr << "demo: cannot run the fake Slack and Zendesk: " << problem << '\n';
        return 2;
    }
    std::unique_ptr<DemoWorld> world;
    try {
        world = std::make_unique<DemoWorld>();
    } catch (std::exception const& e) {
        std::cerr << "demo: cannot start the fake Slack and Zendesk: " << e.what() << '\n';
        return 2;
    }
    std::optional<TempDir> temp;
    if (!options.db) temp.emplace();
    auto const database_url =
        "sqlite:" + (options.db ? *options.db : temp->path() / "ticketbridge.db").string();
    if (options.db) {
        // A kept file remembers earlier runs' tickets; the fake account numbers new ones after them.
        try {
            world->zendesk().number_tickets_after(store::highest_ticket_in(*options.db));
        } catch (std::exception const& e) {
            std::cerr << "demo: " << e.what() << '\n';
            return 2;
        }
    }
    auto const port = free_loopback_port();
    auto const service_url = "http://127.0.0.1:" + std::to_string(port);
    auto const settings = world->settings(port);
    Narrator narrator{std::cout, *world, settings};

    ServiceOptions service_options;
    service_options.settings = settings;
    service_options.secrets = world->secrets(database_url);
    // The SLA clock keeps real time until the SLA step, then runs faster.
    auto const sla_clock = run_sla_faster(service_options, bot::Instant::max(), kSlaSpeed);
    ServiceThread service{std::move(service_options)};
    Demo demo{options, *world, service};
    if (!service.wait_until_serving(port, kStartTimeout)) {
        return demo.fail("the service did not answer on " + service_url + " within " +
                         std::to_string(kStartTimeout.count()) + " s");
    }
    narrator.introduce(service_url, database_url);
    narrator.partner_asks();

    auto const reacted_at = SteadyClock::now();
    auto const reaction =
        post_as_slack(port, "/slack/events", kSigningSecret, world->reaction_event());
    if (reaction.status != 200) {
        return demo.fail("the service answered the reaction event with " +
                         std::to_string(reaction.status));
    }
    narrator.agent_reacts(reaction);
    auto const opened =
        demo.wait_for([&] { return !world->zendesk().tickets().empty(); }, reacted_at);
    if (!opened) return demo.fail(demo.timed_out("a ticket in the fake Zendesk"));
    narrator.ticket_opened(*opened);
    auto const created_emoji = settings.slack.created_emoji;
    auto const carded = demo.wait_for(
        [&] { return world->card() && world->marked_created(created_emoji); }, reacted_at);
    if (!carded)
        return demo.fail(demo.timed_out("the ticket card and :" + created_emoji + ": in Slack"));
    narrator.card_posted(*carded);

    auto const replied_at = SteadyClock::now();
    auto const reply =
        post_as_slack(port, "/slack/events", kSigningSecret, world->partner_replies());
    if (reply.status != 200) {
        return demo.fail("the service answered the reply event with " +
                         std::to_string(reply.status));
    }
    narrator.partner_replies(reply);
    auto const copied = demo.wait_for(
        [&] {
            auto const tickets = world->zendesk().tickets();
            return !tickets.empty() && tickets.front().comments.size() >= 2;
        },
        replied_at);
    if (!copied) return demo.fail(demo.timed_out("the reply as a comment on the ticket"));
    narrator.reply_copied(*copied);

    auto const ticket_number = world->zendesk().tickets().front().id;
    auto const answered_at = SteadyClock::now();
    auto const webhook = post_as_zendesk(port, kWebhookSecret, world->agent_replies_in_zendesk(ticket_number));
    if (webhook.status != 200) {
        return demo.fail("the service answered Zendesk's webhook with " + std::to_string(webhook.status));
    }
    narrator.agent_answers_in_zendesk(6, webhook);
    auto const shown = demo.wait_for(
        [&] {
            auto const line = world->last_thread_line();
            return line && line->find("replied in Zendesk") != std::string::npos;
        },
        answered_at);
    if (!shown) return demo.fail(demo.timed_out("Alex's Zendesk reply in the Slack thread"));
    narrator.zendesk_reply_posted(*shown);

    auto const ticket_id = std::to_string(ticket_number);
    int step = 7;
    for (auto const& [name, command] : {std::pair{std::string{"take"}, "take " + ticket_id},
                                        std::pair{std::string{"solve"}, "solve " + ticket_id +
                                                                            " Fixed: the new SAML certificate is now trusted."}}) {
        auto const asked_at = SteadyClock::now();
        auto const answer = post_as_slack(port, "/slack/commands", kSigningSecret,
                                          world->agent_command(command, name), "application/x-www-form-urlencoded");
        if (answer.status != 200) {
            return demo.fail("the service answered `/ticket " + command + "` with " + std::to_string(answer.status));
        }
        narrator.agent_commands(step++, command, answer);
        auto const wanted = name == "take" ? std::string{"open"} : std::string{"solved"};
        auto const done = demo.wait_for(
            [&] {
                auto const tickets = world->zendesk().tickets();
                bool const changed = !tickets.empty() && tickets.front().status == wanted &&
                                     (name != "take" || tickets.front().assignee_id.has_value());
                return changed && world->command_answer(name).has_value();
            },
            asked_at);
        if (!done) return demo.fail(demo.timed_out("`/ticket " + command + "` in the fake Zendesk"));
        // The thread line may wait its turn (Slack takes one message a second per channel).
        auto const marker = name == "take" ? std::string{"took #"} : std::string{"solved by"};
        for (int i = 0; i < 50; ++i) {
            auto const line = world->last_thread_line();
            if (line && line->find(marker) != std::string::npos) break;
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        narrator.command_done(name, *done);
    }

    sla_clock->speed_up_from(bot::SystemClock{}.now());
    auto const requested_at = SteadyClock::now();
    auto const second = post_as_slack(port, "/slack/events", kSigningSecret, world->second_request());
    if (second.status != 200) {
        return demo.fail("the service answered the second reaction event with " + std::to_string(second.status));
    }
    narrator.sla_speeds_up(step++, kSlaSpeed, second);
    for (auto const* kind : {"first reply due", "first reply breached"}) {
        auto const announced = demo.wait_for(
            [&] {
                auto const alerts = world->alerts();
                return std::any_of(alerts.begin(), alerts.end(),
                                   [&](std::string const& a) { return a.find(kind) != std::string::npos; });
            },
            requested_at);
        if (!announced) return demo.fail(demo.timed_out("the SLA alert \"" + std::string{kind} + "\""));
        for (auto const& alert : world->alerts()) {
            if (alert.find(kind) != std::string::npos) narrator.sla_announced(alert, *announced, kSlaSpeed);
        }
    }
    std::this_thread::sleep_for(std::chrono::seconds{2});  // more ticks: nothing is repeated
    narrator.sla_once(world->alerts().size());
    narrator.api_calls();
    narrator.finished(since(started));

    if (options.keep_running) {
        narrator.keeps_running(service_url);
        return service.wait();
    }
    return service.stop();
}

}  // namespace tb::cli
