// Outbound under real limits: a burst of :ticket: reactions on as many threads against fake Slack
// and fake Zendesk servers that enforce their published limits (Zendesk's account budget, Slack's
// method tiers and one message a second per channel), with the real ticketbridge binary between
// them. Meanwhile a shortcut and a command every few seconds, timed. Prints figures; asserts
// nothing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tests/fakes/fake_slack_limits.hpp"
#include "tests/integration/slack_world.hpp"

using namespace tb::testing;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

struct Options {
    int reactions = 1000;
    int channels = 25;
    int partners = 8;
    int zendesk_per_minute = 700;
    double probe_every_s = 2.0;
    int timeout_min = 20;
};

struct Probe {
    std::string kind;  // "shortcut" or "command"
    std::string key;   // trigger id, or the response_url path
    tb::bot::Instant sent{};
};

std::string ts_of(int i) {
    char ts[32];
    std::snprintf(ts, sizeof ts, "1700%06d.000100", i);
    return ts;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto const at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(at, v.size() - 1)];
}

tb::bot::Instant system_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// Zendesk routes with their ids folded, so the table shows what each ticket costs.
std::string route_of(tb::fakes::Request const& req) {
    static std::regex const digits{"[0-9]+"};
    std::string target{req.target()};
    target = target.substr(0, target.find('?'));
    return std::string{req.method_string()} + " " + std::regex_replace(target, digits, "{id}");
}

json shortcut_payload(SlackWorld& world, std::string const& channel, std::string const& ts,
                      std::string const& trigger) {
    return {{"type", "message_action"}, {"callback_id", "create_ticket"}, {"trigger_id", trigger},
            {"team", {{"id", kTeam}, {"domain", "fake"}}}, {"user", {{"id", "U0AGENT1"}, {"name", "alex"}}},
            {"channel", {{"id", channel}, {"name", "partner"}}}, {"message_ts", ts},
            {"message", {{"type", "message"}, {"user", "U0PARTNER"}, {"ts", ts}, {"text", "A probe"}}},
            {"response_url", world.slack.action_response_url(trigger)}, {"action_ts", ts}};
}

int run(Options const& o) {
    std::string const zendesk_yaml = "zendesk:\n  requests_per_minute: " + std::to_string(o.zendesk_per_minute) + "\n";
    SlackWorld world{o.channels, "public", {}, zendesk_yaml, {"--log-level", "warn"}};
    world.zendesk.set_requests_per_minute(o.zendesk_per_minute);
    world.slack.enforce_tiers(true);
    world.slack.enforce_channel_limit(true);
    for (int p = 0; p < o.partners; ++p) {
        auto const id = "U0P" + std::to_string(p);
        world.slack.add_user(id, "partner" + std::to_string(p), "Partner " + std::to_string(p),
                             "partner" + std::to_string(p) + "@partner.example");
    }
    std::vector<std::pair<std::string, std::string>> threads;  // (channel, ts)
    for (int i = 0; i < o.reactions; ++i) {
        auto const channel = SlackWorld::channel(i % o.channels);
        auto const ts = ts_of(i);
        world.slack.add_message(channel, ts, "U0P" + std::to_string(i % o.partners),
                                "Request " + std::to_string(i) + ": our users cannot sign in since the update");
        threads.emplace_back(channel, ts);
    }
    std::printf("burst: %d reactions on %d threads in %d channels; Zendesk %d requests/min; Slack tiers and "
                "1 message/s per channel enforced\n",
                o.reactions, o.reactions, o.channels, o.zendesk_per_minute);

    auto const start = Steady::now();
    std::atomic<int> next{0}, acked{0};
    std::vector<std::thread> senders;
    for (int s = 0; s < 4; ++s) {
        senders.emplace_back([&] {
            for (int i = next++; i < o.reactions; i = next++) {
                auto const& [channel, ts] = threads[static_cast<std::size_t>(i)];
                if (world.post_event(SlackWorld::reaction("EvB" + std::to_string(i), channel, ts)) == 200) ++acked;
            }
        });
    }
    for (auto& s : senders) s.join();
    auto const intake_s = std::chrono::duration<double>(Steady::now() - start).count();
    std::printf("intake: %d/%d acknowledged in %.2f s\n", acked.load(), o.reactions, intake_s);

    // Until every ticket and card exists: probes meanwhile.
    std::vector<Probe> probes;
    auto const probe_every = std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>{o.probe_every_s});
    auto next_probe = Steady::now();
    auto const deadline = start + std::chrono::minutes{o.timeout_min};
    auto const cards = [&] {
        std::size_t n = 0;
        for (int c = 0; c < o.channels; ++c) n += world.cards(SlackWorld::channel(c));
        return n;
    };
    std::size_t made = 0;
    Steady::time_point last_ticket{};
    while (Steady::now() < deadline) {
        if (Steady::now() >= next_probe) {
            auto const n = static_cast<int>(probes.size());
            auto const channel = SlackWorld::channel(n % o.channels);
            if (n % 2 == 0) {
                auto const ts = "1800" + std::to_string(100000 + n) + ".000100";
                world.slack.add_message(channel, ts, "U0PARTNER", "A probe");
                auto const trigger = world.slack.issue_trigger("trig-probe-" + std::to_string(n));
                probes.push_back({"shortcut", trigger, system_now()});
                world.interaction(shortcut_payload(world, channel, ts, trigger));
            } else {
                auto const trigger = "cmd-probe-" + std::to_string(n);
                auto const url = world.slack.response_url(trigger);
                probes.push_back({"command", url.substr(world.slack.base_url().size()), system_now()});
                world.slash("U0AGENT1", "status 1", trigger, channel);
            }
            next_probe += probe_every;
        }
        auto const created = world.zendesk.count_creates();
        if (created > made) {
            made = created;
            last_ticket = Steady::now();
        }
        if (made >= static_cast<std::size_t>(o.reactions) && cards() >= static_cast<std::size_t>(o.reactions)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
    }
    auto const done = Steady::now();
    auto const total_s = std::chrono::duration<double>(done - start).count();
    auto const tickets_s = std::chrono::duration<double>(last_ticket - start).count();
    std::this_thread::sleep_for(std::chrono::seconds{3});  // late probes' answers

    // What the run cost: every request each fake saw.
    std::map<std::string, int> zendesk_routes;
    for (auto const& req : world.zendesk.requests()) ++zendesk_routes[route_of(req)];
    std::map<std::string, int> slack_methods;
    std::map<std::string, int> posts_per_channel;
    std::map<std::string, int> thread_reads;
    for (auto const& call : world.slack.calls()) {
        if (call.error == "ratelimited") continue;
        ++slack_methods[call.method];
        if (call.method == "conversations.replies") {
            ++thread_reads[call.params.value("channel", "") + " " + call.params.value("ts", "")];
        }
        if (call.method == "chat.postMessage") ++posts_per_channel[call.params.value("channel", "")];
    }
    auto const zendesk_429 = world.zendesk.rate_limited_count();
    std::size_t zendesk_needed = 0;
    for (auto const& [route, n] : zendesk_routes) zendesk_needed += static_cast<std::size_t>(n);
    zendesk_needed -= zendesk_429;
    auto const zendesk_ideal_s = 60.0 * static_cast<double>(zendesk_needed) / o.zendesk_per_minute;
    int busiest_channel = 0;
    for (auto const& [channel, n] : posts_per_channel) busiest_channel = std::max(busiest_channel, n);
    // Slack lets a channel burst a little, then one message a second.
    auto const channel_ideal_s = std::max(0.0, busiest_channel - 3.0);
    // Each method at its tier's floor (a minute's worth may go at once, as the fake allows, but the
    // service keeps an even pace once limited, so the floor per minute is the honest ideal).
    double tier_ideal_s = 0;
    std::string tier_method;
    for (auto const& [method, n] : slack_methods) {
        auto const floor = tb::fakes::slack_detail::tier_floors().find(method);
        if (floor == tb::fakes::slack_detail::tier_floors().end()) continue;
        auto const s = 60.0 * n / floor->second;
        if (s > tier_ideal_s) {
            tier_ideal_s = s;
            tier_method = method + " (" + std::to_string(n) + " calls / " + std::to_string(floor->second) + " a minute)";
        }
    }

    std::set<std::string> external_ids;
    auto const tickets = world.zendesk.tickets();
    for (auto const& t : tickets) external_ids.insert(t.external_id.value_or(""));
    std::size_t threads_with_one_card = 0;
    for (int c = 0; c < o.channels; ++c) {
        std::map<std::string, int> per_thread;
        for (auto const& m : world.slack.messages(SlackWorld::channel(c))) {
            if (SlackWorld::is_card(m)) ++per_thread[m.thread_ts];
        }
        for (auto const& [thread, n] : per_thread) threads_with_one_card += n == 1 ? 1 : 0;
    }

    std::printf("\nzendesk requests by route (incl. probes):\n");
    for (auto const& [route, n] : zendesk_routes) std::printf("  %6d  %s\n", n, route.c_str());
    std::printf("slack calls by method (accepted, incl. probes):\n");
    for (auto const& [method, n] : slack_methods) std::printf("  %6d  %s\n", n, method.c_str());

    int reread = 0, most_reads = 0;
    for (auto const& [thread, n] : thread_reads) {
        reread += n > 1 ? 1 : 0;
        most_reads = std::max(most_reads, n);
    }
    std::printf("threads read more than once: %d (most reads of one thread: %d)\n", reread, most_reads);

    std::vector<double> shortcut_ms, command_ms;
    int shortcut_missed = 0, command_missed = 0;
    auto const views = world.slack.views();
    auto const posts = world.slack.response_url_posts();
    for (auto const& p : probes) {
        if (p.kind == "shortcut") {
            auto const v = std::find_if(views.begin(), views.end(), [&](auto const& view) { return view.trigger_id == p.key; });
            if (v == views.end()) ++shortcut_missed;
            else shortcut_ms.push_back(static_cast<double>((v->opened_at - p.sent).count()));
        } else {
            auto const r = std::find_if(posts.begin(), posts.end(), [&](auto const& post) { return post.path == p.key; });
            if (r == posts.end()) ++command_missed;
            else command_ms.push_back(static_cast<double>((r->at - p.sent).count()));
        }
    }

    auto const ideal_s = std::max({zendesk_ideal_s, channel_ideal_s, tier_ideal_s});
    std::printf("\nresult\n");
    std::printf("  tickets created           %zu of %d (distinct threads %zu; creates %zu)\n", tickets.size(),
                o.reactions, external_ids.size(), world.zendesk.count_creates());
    std::printf("  threads with one card     %zu\n", threads_with_one_card);
    std::printf("  last ticket at            %.1f s\n", tickets_s);
    std::printf("  last card at              %.1f s%s\n", total_s, Steady::now() > deadline ? " (TIMED OUT)" : "");
    std::printf("  ideal (Zendesk)           %.1f s = %zu requests / %d a minute\n", zendesk_ideal_s, zendesk_needed,
                o.zendesk_per_minute);
    std::printf("  ideal (Slack channel)     %.1f s = %d posts in the busiest channel at 1/s after a burst of 3\n",
                channel_ideal_s, busiest_channel);
    std::printf("  ideal (Slack tier)        %.1f s = %s\n", tier_ideal_s, tier_method.c_str());
    std::printf("  against the ideal (%.0f s)  %+.1f %%\n", ideal_s, ideal_s > 0 ? 100.0 * (total_s - ideal_s) / ideal_s : 0.0);
    std::printf("  429s                      Zendesk %zu, Slack %zu\n", zendesk_429, world.slack.ratelimited_count());
    std::printf("  shortcut → modal open     n=%zu p50 %.0f ms p99 %.0f ms max %.0f ms; missed (trigger expired) %d\n",
                shortcut_ms.size(), percentile(shortcut_ms, 0.5), percentile(shortcut_ms, 0.99),
                percentile(shortcut_ms, 1.0), shortcut_missed);
    std::printf("  command → answer          n=%zu p50 %.0f ms p99 %.0f ms max %.0f ms; unanswered %d\n",
                command_ms.size(), percentile(command_ms, 0.5), percentile(command_ms, 0.99),
                percentile(command_ms, 1.0), command_missed);
    std::printf("  spec violations           Slack %zu, Zendesk %zu\n", world.slack.violations().size(),
                world.zendesk.violations().size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"ticketbridge outbound benchmark: a burst of reactions under Slack's and Zendesk's limits"};
    app.add_option("--reactions", o.reactions, "reactions, each on its own thread")->check(CLI::Range(1, 100000));
    app.add_option("--channels", o.channels, "channels the threads are spread over")->check(CLI::Range(1, 500));
    app.add_option("--partners", o.partners, "distinct people who wrote the messages")->check(CLI::Range(1, 1000));
    app.add_option("--zendesk-per-minute", o.zendesk_per_minute, "the account's budget, kept by fake and service")
        ->check(CLI::Range(10, 100000));
    app.add_option("--probe-every", o.probe_every_s, "seconds between a shortcut and a command, alternately");
    app.add_option("--timeout", o.timeout_min, "minutes before giving up");
    CLI11_PARSE(app, argc, argv);

    doctest::Context context;
    context.setAsDefaultForAssertsOutOfTestCases();
    context.setAssertHandler([](doctest::AssertData const& ad) {
        throw std::runtime_error(std::string{"setup failed: "} + ad.m_expr + " " + ad.m_decomp.c_str());
    });
    try {
        return run(o);
    } catch (std::exception const& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
