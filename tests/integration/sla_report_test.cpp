// `ticketbridge sla-report`: the real binary reads the store a service wrote and prints attainment.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "adapters/store/sqlite/sqlite_sla_book.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

using namespace tb::testing;
using namespace std::chrono_literals;
using tb::bot::SlaEvent;

namespace {

constexpr std::int64_t kMonday0900 = 1'793'610'000'000;  // Monday 2 November 2026, 09:00 UTC

template <class T>
T run(boost::asio::awaitable<T> call) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(call), boost::asio::use_future);
    io.run();
    return future.get();
}

struct Reported {
    std::filesystem::path dir = temp_dir("tb-sla-report");
    Reported() {
        auto book = tb::store::make_sqlite_sla_book(dir / "ticketbridge.db");
        auto const t0 = tb::bot::from_unix_ms(kMonday0900);
        for (tb::bot::TicketId id = 1; id <= 3; ++id) {
            REQUIRE(run(book->follow(id, t0, {}, std::nullopt)));
            REQUIRE(run(book->describe(id, id == 1 ? "Security" : "Privacy", "normal")));
        }
        run(book->add(1, "c1", {t0 + 1h, SlaEvent::Kind::agent_public_reply, ""}));
        run(book->add(1, "s1", {t0 + 25h, SlaEvent::Kind::status_changed, "solved"}));
        run(book->add(2, "c2", {t0 + 49h, SlaEvent::Kind::agent_public_reply, ""}));
        run(book->add(2, "s2", {t0 + 73h, SlaEvent::Kind::status_changed, "solved"}));
        REQUIRE(run(book->follow(4, t0 + 24h * 40, {}, std::nullopt)));  // created after the period
        std::ofstream{dir / "ticketbridge.yaml"} << "slack:\n  channels:\n    - id: C0PARTNER\n";
    }
    ~Reported() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    std::pair<int, std::string> report(std::vector<std::string> args) const {
        args.insert(args.begin(), {"sla-report", "--config", (dir / "ticketbridge.yaml").string()});
        ChildProcess p{TB_BINARY, std::move(args), {{"DATABASE_URL", "sqlite:" + (dir / "ticketbridge.db").string()}},
                       dir / "report.log"};
        auto const code = p.wait(std::chrono::seconds{30});
        return {code.value_or(-1), p.output()};
    }
};

}  // namespace

TEST_CASE("sla-report: attainment per policy against its target and the worst breaches, from the store") {
    Reported r;
    auto const [code, out] = r.report({"--from", "2026-11-01", "--to", "2026-11-30"});
    REQUIRE_MESSAGE(code == 0, out);
    CHECK_MESSAGE(out.find("SLA attainment for tickets created 2026-11-01 to 2026-11-30 (3 tickets)") != std::string::npos, out);
    CHECK(out.find("first reply: 33.3% met (target 80.0%) ✗   1 met, 2 breached, 0 open") != std::string::npos);
    CHECK(out.find("resolution: 66.7% met (target 80.0%) ✗   2 met, 1 breached, 0 open") != std::string::npos);
    CHECK(out.find("Worst breaches:\n  #3  first reply") != std::string::npos);
    CHECK(out.find("#2  first reply  1h 0m of working time late") != std::string::npos);
}

TEST_CASE("sla-report: by group as CSV, as JSON, and bad arguments refused with a reason") {
    Reported r;
    auto const [code, csv] = r.report({"--from", "2026-11-01", "--to", "2026-11-30", "--by", "group", "--format", "csv"});
    REQUIRE_MESSAGE(code == 0, csv);
    CHECK(csv.find("policy,bucket,met,breached,open,attainment,target,meets_target\n") != std::string::npos);
    CHECK(csv.find("first reply,\"Security\",1,0,0,1,0.8,yes") != std::string::npos);
    auto const [json_code, json] = r.report({"--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"});
    REQUIRE(json_code == 0);
    auto const parsed = nlohmann::json::parse(json.substr(json.find('{')));
    CHECK(parsed["tickets"] == 3);
    CHECK(parsed["policies"][0]["met"] == 1);
    auto const [bad_code, bad] = r.report({"--from", "2026-11-30", "--to", "2026-11-01"});
    CHECK(bad_code == 2);
    CHECK(bad.find("--to not before --from") != std::string::npos);
}
