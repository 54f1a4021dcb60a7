// `ticketbridge demo`: the real binary with its built-in fakes, as a newcomer runs it.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/raw_http.hpp"

using namespace tb::testing;

namespace {

bool says(std::string const& output, std::string const& text) {
    return output.find(text) != std::string::npos;
}

struct DemoRun {
    std::filesystem::path dir = temp_dir("tb-demo");
    ~DemoRun() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    ChildProcess start(std::vector<std::string> args, std::string const& log = "demo.log") const {
        args.insert(args.begin(), "demo");
        return ChildProcess{TB_BINARY, std::move(args), {}, dir / log};
    }
};

std::uint16_t service_port(std::string const& output) {
    auto const at = output.find("service   http://127.0.0.1:");
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(
        std::stoi(output.substr(at + std::string_view{"service   http://127.0.0.1:"}.size())));
}

}  // namespace

TEST_CASE("demo: narrates the ticket, the card and the copied reply, then exits 0") {
    DemoRun run;
    auto demo = run.start({});
    auto const code = demo.wait(std::chrono::seconds{60});
    auto const output = demo.output();
    REQUIRE_MESSAGE(code.has_value(), output);
    CHECK_MESSAGE(*code == 0, output);
    CHECK_MESSAGE(says(output, "Zendesk: ticket #1 opened"), output);
    CHECK(says(output, "subject      SAML sign-in failing with invalid_client"));
    CHECK(says(output, "requester    Pat Partner <pat@partner.example>"));
    CHECK(says(output, "group        Partnerships Engineering"));
    CHECK(says(output, "the bot answers in the thread with the ticket card"));
    CHECK(says(output, "[Take] [Priority ▾] [Group ▾] [Pending] [Solve]"));
    CHECK(says(output, ":white_check_mark:"));
    CHECK(says(output, "the reply is copied to ticket #1 as a public comment"));
    CHECK(says(output, "Pat Partner replied in Slack"));
    CHECK(says(output, "Alex Agent answers Pat in Zendesk's agent workspace"));
    CHECK(says(output, "POST /zendesk/webhook: 200"));
    CHECK(says(output, "Slack: the reply appears in Pat's thread"));
    CHECK(says(output, "Alex Agent replied in Zendesk:"));
    CHECK(says(output, "/ticket take 1"));
    CHECK(says(output, "Working on #1…"));
    CHECK(says(output, "Zendesk: ticket #1 is now open, assigned to Alex Agent"));
    CHECK(says(output, "Zendesk: ticket #1 is now solved, assigned to Alex Agent"));
    CHECK(says(output, "the thread says: \"#1 solved by @U0AGENT1: Fixed: the new SAML certificate is now trusted.\""));
    CHECK(says(output, "the SLA clock now runs 1800x faster"));
    CHECK(says(output, "first reply due"));
    CHECK(says(output, "first reply breached"));
    CHECK(says(output, "is announced once: 2 alerts"));
    CHECK(says(output, "every call matched the published API descriptions"));
    CHECK_FALSE(says(output, " info "));  // the service's log stays quiet during the narration
}

TEST_CASE("demo: --db keeps the SQLite file, and a second run on it plays again") {
    DemoRun run;
    auto const db = run.dir / "kept.db";
    // The second run's fake account numbers its tickets after the first run's two, which the file
    // remembers (their SLA alerts included): the second run is told its own.
    for (auto const& [log, opened] : {std::pair{"first.log", "ticket #1 opened"}, std::pair{"second.log", "ticket #3 opened"}}) {
        auto demo = run.start({"--db", db.string()}, log);
        auto const code = demo.wait(std::chrono::seconds{60});
        REQUIRE_MESSAGE(code == 0, demo.output());
        CHECK_MESSAGE(says(demo.output(), opened), demo.output());
        CHECK(says(demo.output(), "first reply breached"));
    }
    CHECK(std::filesystem::exists(db));
}

TEST_CASE("demo: --keep-running serves until Ctrl-C, then drains and exits 0") {
    DemoRun run;
    auto demo = run.start({"--keep-running"});
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
    while (!says(demo.output(), "Still serving") && demo.running() &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    auto const output = demo.output();
    REQUIRE_MESSAGE(says(output, "Still serving"), output);
    auto const port = service_port(output);
    REQUIRE(port != 0);
    auto const metrics = http_request(port, "GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(says(metrics.body, "tb_jobs"));
    demo.signal(SIGINT);
    auto const code = demo.wait(std::chrono::seconds{20});
    CHECK_MESSAGE(code == 0, demo.output());
}
