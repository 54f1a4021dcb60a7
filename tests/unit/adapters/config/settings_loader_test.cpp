#include "adapters/config/settings_loader.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using tb::bot::Priority;
using tb::bot::ThreadReplies;
using tb::bot::Weekday;
using tb::bot::WorkingSpan;
using tb::config::ConfigProblem;
using tb::config::load_settings_file;
using tb::config::load_settings_text;
using tb::config::LoadedSettings;

namespace {

std::string all_problems(LoadedSettings const& loaded) {
    std::string text;
    for (auto const& problem : loaded.problems) {
        text += tb::config::format_problem("test.yaml", problem) + "\n";
    }
    return text;
}

ConfigProblem const* problem_at(LoadedSettings const& loaded, std::string_view key) {
    for (auto const& problem : loaded.problems) {
        if (problem.key == key) return &problem;
    }
    return nullptr;
}

// Checks that exactly one problem was found, at `key` and `line`, and that its message mentions
// `says`.
void check_single_problem(std::string_view yaml, std::string_view key, int line,
                          std::string_view says) {
    auto const loaded = load_settings_text(yaml);
    INFO("config:\n", yaml, "problems:\n", all_problems(loaded));
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].key == key);
    CHECK(loaded.problems[0].line == line);
    CHECK(loaded.problems[0].message.find(says) != std::string::npos);
    CHECK_FALSE(loaded.ok());
}

}  // namespace

TEST_CASE("config: the example config/ticketbridge.yaml loads with no problems") {
    auto const loaded = load_settings_file(TB_SOURCE_DIR "/config/ticketbridge.yaml");
    INFO(all_problems(loaded));
    REQUIRE(loaded.ok());
    auto const& settings = loaded.settings;
    REQUIRE(settings.slack.channels.size() == 2);
    CHECK(settings.slack.channels[0].name == "login-partner-support");
    CHECK(settings.slack.channels[1].name == "login-iaa");
    CHECK(settings.slack.channels[1].thread_replies == ThreadReplies::internal_note);
    CHECK(settings.slack.alert_channel == "C05SUPALERT");
    REQUIRE(settings.triage.size() == 3);
    CHECK(settings.triage[0].group == "3rd Line--Cyber Security");
    CHECK(settings.triage[0].priority == Priority::high);
    CHECK(settings.triage[1].group == "3rd Line--GDS Privacy");
    CHECK(settings.sla.calendar.timezone == "Europe/London");
    CHECK(settings.sla.calendar.holidays.size() == 9);
    CHECK(settings.sla.calendar.holidays.back() == tb::bot::Date{2027, 1, 1});
}

TEST_CASE("config: an empty file gives the defaults of settings.hpp") {
    for (std::string_view const yaml : {"", "# only a comment\n", "{}\n"}) {
        auto const loaded = load_settings_text(yaml);
        INFO(yaml, all_problems(loaded));
        REQUIRE(loaded.ok());
        auto const& s = loaded.settings;
        CHECK(s.listen.address == "0.0.0.0");
        CHECK(s.listen.port == 3000);
        CHECK(s.server.read_timeout == 10s);
        CHECK(s.slack.ticket_emoji == "ticket");
        CHECK(s.slack.created_emoji == "white_check_mark");
        CHECK(s.slack.channels.empty());
        CHECK(s.zendesk.tags == std::vector<std::string>{"slack"});
        CHECK(s.zendesk.requests_per_minute == 700);
        CHECK(s.sla.first_reply == WorkingSpan{2, WorkingSpan::Unit::days});
        CHECK(s.sla.warn_before == WorkingSpan{4, WorkingSpan::Unit::hours});
        CHECK(s.sla.calendar.timezone == "UTC");
        CHECK(s.sla.targets.first_reply == doctest::Approx(0.80));
    }
}

TEST_CASE("config: given values replace the defaults and keys left out keep them") {
    auto const loaded = load_settings_text(R"(listen: { address: "::1", port: 8080 }
server: { read_timeout: 500ms, idle_timeout: 2m, max_body_bytes: 2048 }
slack:
  channels:
    - { id: C0PARTNER, name: "#login-partner-support", priority: urgent, thread_replies: off }
    - { id: G0PRIVATE }
zendesk: { default_group: Support, tags: [slack, partner], requests_per_minute: 100 }
sla:
  calendar: { workdays: [sun, mon], hours: "08:15-24:00", holidays: [2028-02-29] }
  first_reply: 30m
  targets: { resolution: 1 }
)");
    INFO(all_problems(loaded));
    REQUIRE(loaded.ok());
    auto const& s = loaded.settings;
    CHECK(s.listen.address == "::1");
    CHECK(s.listen.port == 8080);
    CHECK(s.server.read_timeout == 500ms);
    CHECK(s.server.idle_timeout == 2min);
    CHECK(s.server.max_body_bytes == 2048);
    CHECK(s.server.shutdown_grace == 10s);
    REQUIRE(s.slack.channels.size() == 2);
    CHECK(s.slack.channels[0].name == "login-partner-support");
    CHECK(s.slack.channels[0].priority == Priority::urgent);
    CHECK(s.slack.channels[0].thread_replies == ThreadReplies::off);
    CHECK(s.slack.channels[1].id == "G0PRIVATE");
    CHECK_FALSE(s.slack.channels[1].priority.has_value());
    CHECK(s.slack.channels[1].thread_replies == ThreadReplies::public_reply);
    CHECK(s.zendesk.default_group == "Support");
    CHECK(s.zendesk.tags == std::vector<std::string>{"slack", "partner"});
    CHECK(s.zendesk.requests_per_minute == 100);
    CHECK(s.sla.calendar.workdays == std::vector<Weekday>{Weekday::sun, Weekday::mon});
    CHECK(s.sla.calendar.day_start == 8h + 15min);
    CHECK(s.sla.calendar.day_end == 24h);
    CHECK(s.sla.calendar.holidays == std::vector<tb::bot::Date>{{2028, 2, 29}});
    CHECK(s.sla.first_reply == WorkingSpan{30, WorkingSpan::Unit::minutes});
    CHECK(s.sla.resolution == WorkingSpan{5, WorkingSpan::Unit::days});
    CHECK(s.sla.targets.resolution == doctest::Approx(1.0));
    CHECK(s.sla.targets.first_reply == doctest::Approx(0.80));
}

TEST_CASE("config: emoji names are accepted with or without colons and stored without") {
    auto const loaded = load_settings_text(
        "slack: { ticket_emoji: \":ticket:\", "
        "created_emoji: heavy_check_mark }\n");
    INFO(all_problems(loaded));
    REQUIRE(loaded.ok());
    CHECK(loaded.settings.slack.ticket_emoji == "ticket");
    CHECK(loaded.settings.slack.created_emoji == "heavy_check_mark");
}

TEST_CASE("config: unknown keys are reported at every level with their key and line") {
    auto const loaded = load_settings_text(R"(listen:
  prot: 3000
slack:
  channels:
    - id: C0PARTNER
      topic: logins
sla:
  calendar:
    tz: Europe/London
  targets: { first: 0.8 }
triage:
  - { keywords: [security], grop: Security, priority: high }
slak: {}
)");
    INFO(all_problems(loaded));
    REQUIRE(loaded.problems.size() == 6);
    struct Expected {
        std::string_view key;
        int line;
    };
    for (auto const& [key, line] :
         {Expected{"listen.prot", 2}, Expected{"slack.channels[0].topic", 6},
          Expected{"sla.calendar.tz", 9}, Expected{"sla.targets.first", 10},
          Expected{"triage[0].grop", 12}, Expected{"slak", 13}}) {
        CAPTURE(key);
        auto const* problem = problem_at(loaded, key);
        REQUIRE(problem != nullptr);
        CHECK(problem->line == line);
        CHECK(problem->message.find("unknown key") != std::string::npos);
    }
    CHECK(problem_at(loaded, "listen.prot")->message.find("address, port") != std::string::npos);
}

TEST_CASE("config: a value of the wrong type names its key and line") {
    check_single_problem("slack:\n  channels:\n    id: C0PARTNER\n", "slack.channels", 2,
                         "expected a list; got a map");
    check_single_problem("listen:\n  port: abc\n", "listen.port", 2,
                         "expected a whole number; got \"abc\"");
    check_single_problem("listen:\n  port: \"3000\"\n", "listen.port", 2, "remove the quotes");
    check_single_problem("listen: [0.0.0.0, 3000]\n", "listen", 1, "expected a map; got a list");
    check_single_problem("zendesk:\n  tags: slack\n", "zendesk.tags", 2,
                         "expected a list; got \"slack\"");
    check_single_problem("sla:\n  targets:\n    first_reply: high\n", "sla.targets.first_reply", 3,
                         "expected a number");
    check_single_problem("zendesk:\n  default_group: [a, b]\n", "zendesk.default_group", 2,
                         "expected a string; got a list");
    check_single_problem("slack:\n  ticket_emoji:\n", "slack.ticket_emoji", 2,
                         "expected a string; got nothing");
    check_single_problem("- listen\n", "", 1, "expected a map of settings");
}

TEST_CASE("config: bad values name their key and line") {
    struct Row {
        std::string_view yaml;
        std::string_view key;
        int line;
        std::string_view says;
    };
    Row const rows[] = {
        {"listen:\n  port: 0\n", "listen.port", 2, "between 1 and 65535"},
        {"listen:\n  port: 65536\n", "listen.port", 2, "between 1 and 65535"},
        {"listen:\n  address: example.com\n", "listen.address", 2, "expected an IP address"},
        {"server:\n  max_body_bytes: 0\n", "server.max_body_bytes", 2, "at least 1; got 0"},
        {"server:\n  max_connections: -5\n", "server.max_connections", 2, "at least 1"},
        {"server:\n  read_timeout: 10\n", "server.read_timeout", 2, "expected a positive duration"},
        {"server:\n  shutdown_grace: 0s\n", "server.shutdown_grace", 2, "positive duration"},
        {"zendesk:\n  requests_per_minute: 0\n", "zendesk.requests_per_minute", 2, "at least 1"},
        {"zendesk:\n  tags: [slack, two words]\n", "zendesk.tags[1]", 2, "without spaces"},
        {"slack:\n  ticket_emoji: \"a:b\"\n", "slack.ticket_emoji", 2, "expected an emoji name"},
        {"slack:\n  created_emoji: \"::\"\n", "slack.created_emoji", 2, "expected an emoji name"},
        {"slack:\n  created_emoji: ticket\n", "slack.created_emoji", 2, "must differ"},
        {"slack:\n  alert_channel: sla-alerts\n", "slack.alert_channel", 2, "Slack channel id"},
        {"slack:\n  authorized:\n    users: [U0AGENT1, alex]\n", "slack.authorized.users[1]", 3,
         "Slack user id"},
        {"slack:\n  authorized:\n    usergroups: [U0AGENT1]\n", "slack.authorized.usergroups[0]", 3,
         "user group id"},
        {"slack:\n  channels:\n    - id: \"#login-iaa\"\n", "slack.channels[0].id", 3,
         "Slack channel id"},
        {"slack:\n  channels:\n    - id: c0partner\n", "slack.channels[0].id", 3,
         "Slack channel id"},
        {"slack:\n  channels:\n    - id: C0A\n      priority: hgih\n", "slack.channels[0].priority",
         4, "expected one of low, normal, high, urgent; got \"hgih\""},
        {"slack:\n  channels:\n    - id: C0A\n      thread_replies: pub\n",
         "slack.channels[0].thread_replies", 4,
         "expected one of public, internal, off; got \"pub\""},
        {"slack:\n  channels:\n    - name: login-iaa\n", "slack.channels[0]", 3,
         "missing required key id"},
        {"triage:\n  - { channels: [login-iaa], priority: high }\n", "triage[0].channels[0]", 2,
         "Slack channel id"},
        {"sla:\n  calendar:\n    hours: \"17:30-09:00\"\n", "sla.calendar.hours", 3,
         "end after start"},
        {"sla:\n  calendar:\n    hours: 9-5\n", "sla.calendar.hours", 3, "09:00-17:30"},
        {"sla:\n  calendar:\n    hours: \"09:60-17:00\"\n", "sla.calendar.hours", 3, "09:00"},
        {"sla:\n  calendar:\n    holidays: [2026-12-25, 2026-02-30]\n", "sla.calendar.holidays[1]",
         3, "expected a calendar date"},
        {"sla:\n  calendar:\n    holidays:\n      - christmas\n", "sla.calendar.holidays[0]", 4,
         "2026-12-25"},
        {"sla:\n  calendar:\n    timezone: Europe/Lodnon\n", "sla.calendar.timezone", 3,
         "unknown time zone \"Europe/Lodnon\""},
        {"sla:\n  calendar:\n    timezone: ../../etc/passwd\n", "sla.calendar.timezone", 3,
         "unknown time zone"},
        {"sla:\n  calendar:\n    workdays: [mon, funday]\n", "sla.calendar.workdays[1]", 3,
         "expected one of mon"},
        {"sla:\n  calendar:\n    workdays: [mon, mon]\n", "sla.calendar.workdays[1]", 3,
         "listed twice"},
        {"sla:\n  calendar:\n    workdays: []\n", "sla.calendar.workdays", 3, "at least one"},
        {"sla:\n  first_reply: 0d\n", "sla.first_reply", 2, "positive working time"},
        {"sla:\n  resolution: 2w\n", "sla.resolution", 2, "like 2d, 4h or 30m"},
        {"sla:\n  warn_before: 4\n", "sla.warn_before", 2, "like 2d, 4h or 30m"},
        {"sla:\n  pending_too_long: -1d\n", "sla.pending_too_long", 2, "positive working time"},
        {"sla:\n  targets:\n    first_reply: 0\n", "sla.targets.first_reply", 3, "fraction"},
        {"sla:\n  targets:\n    resolution: 80\n", "sla.targets.resolution", 3, "fraction"},
        {"sla:\n  targets:\n    resolution: 1.01\n", "sla.targets.resolution", 3, "fraction"},
        {"sla:\n  pending_digest_at: \"9:30\"\n", "sla.pending_digest_at", 2, "like \"09:30\""},
        {"sla:\n  pending_digest_at: \"24:00\"\n", "sla.pending_digest_at", 2, "like \"09:30\""},
        {"sla:\n  pending_auto_solve: yes\n", "sla.pending_auto_solve", 2, "true or false"},
        {"sla:\n  pending_auto_solve: \"true\"\n", "sla.pending_auto_solve", 2, "true or false"},
        {"sla:\n  pending_note:\n", "sla.pending_note", 2, ""},
    };
    for (auto const& row : rows) check_single_problem(row.yaml, row.key, row.line, row.says);
}

TEST_CASE("config: a channel id used twice is reported at its second use") {
    check_single_problem(R"(slack:
  channels:
    - id: C0PARTNER
      name: login-partner-support
    - id: C0IAA
    - id: C0PARTNER
)",
                         "slack.channels[2].id", 6, "duplicate channel id C0PARTNER");
}

TEST_CASE("config: a triage rule must say when it applies and what it sets") {
    check_single_problem("triage:\n  - { keywords: [gdpr] }\n", "triage[0]", 2,
                         "must set a group, a priority or tags");
    check_single_problem(
        "triage:\n  - { keywords: [gdpr], group: Privacy }\n  - { group: Privacy }\n", "triage[1]",
        3, "needs keywords, channels or both");
    check_single_problem("triage:\n  - { keywords: [], tags: [x] }\n", "triage[0]", 2,
                         "needs keywords, channels or both");
    auto const channel_only =
        load_settings_text("triage:\n  - { channels: [C0IAA], priority: urgent }\n");
    CHECK(channel_only.ok());
}

TEST_CASE("config: a key given twice is reported at its second line") {
    check_single_problem("listen:\n  port: 3000\n  port: 3001\n", "listen.port", 3,
                         "duplicate key (first at line 2)");
}

TEST_CASE("config: invalid YAML gives one problem at the parser's line") {
    auto const loaded = load_settings_text("listen:\n  port: 3000\nslack: { channels: [C0A\n");
    INFO(all_problems(loaded));
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].key.empty());
    CHECK(loaded.problems[0].line == 4);
    CHECK(loaded.problems[0].message.find("invalid YAML") == 0);

    check_single_problem("listen: {port: 1}\n  bad: indent\n", "", 2, "invalid YAML");
}

TEST_CASE("config: more than one YAML document is a problem") {
    check_single_problem("listen: {port: 1}\n---\nslack: {}\n", "", 3, "one YAML document");
}

TEST_CASE("config: every problem is reported, not only the first") {
    auto const loaded = load_settings_text(R"(listen: { port: 0 }
slack:
  ticket_emoji: ""
  channels:
    - { id: C0A, thread_replies: sometimes }
    - { name: no-id }
triage:
  - { group: Security }
sla:
  calendar: { timezone: Mars/Olympus_Mons }
  first_reply: soon
)");
    INFO(all_problems(loaded));
    CHECK(loaded.problems.size() == 7);
    auto const expected = {std::pair{"listen.port", 1},
                           std::pair{"slack.ticket_emoji", 3},
                           std::pair{"slack.channels[0].thread_replies", 5},
                           std::pair{"slack.channels[1]", 6},
                           std::pair{"triage[0]", 8},
                           std::pair{"sla.calendar.timezone", 10},
                           std::pair{"sla.first_reply", 11}};
    for (auto const& [key, line] : expected) {
        CAPTURE(key);
        auto const* problem = problem_at(loaded, key);
        REQUIRE(problem != nullptr);
        CHECK(problem->line == line);
    }
}

TEST_CASE("config: a missing or unreadable file is one problem without a line") {
    auto const missing = load_settings_file("/nonexistent/ticketbridge.yaml");
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems[0].line == 0);
    CHECK(missing.problems[0].message == "config file not found");

    auto const directory = load_settings_file(std::filesystem::temp_directory_path());
    REQUIRE(directory.problems.size() == 1);
    CHECK(directory.problems[0].message == "cannot read the config file");
}

TEST_CASE("config: a file is read like text") {
    auto const path = std::filesystem::temp_directory_path() / "tb_config_loader_test.yaml";
    {
        std::ofstream out{path};
        out << "listen:\n  port: 4000\n  prot: 1\n";
    }
    auto const loaded = load_settings_file(path);
    std::filesystem::remove(path);
    CHECK(loaded.settings.listen.port == 4000);
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].line == 3);
}

TEST_CASE("config: format_problem gives file:line: key: message") {
    ConfigProblem const problem{"slack.channels[0].thread_replies", 12,
                                "expected one of public, internal, off; got \"pub\""};
    CHECK(tb::config::format_problem("config/ticketbridge.yaml", problem) ==
          "config/ticketbridge.yaml:12: slack.channels[0].thread_replies: expected one of "
          "public, "
          "internal, off; got \"pub\"");
    CHECK(tb::config::format_problem("a.yaml", ConfigProblem{"", 0, "config file not found"}) ==
          "a.yaml: config file not found");
    CHECK(tb::config::format_problem("a.yaml", ConfigProblem{"", 3, "invalid YAML: x"}) ==
          "a.yaml:3: invalid YAML: x");
}

TEST_CASE("config: zendesk_notes per channel and the catch-up period are read, bad values named") {
    auto const loaded = load_settings_text(R"(slack:
  channels:
    - { id: C0PARTNER }
    - { id: C0INTERNAL, zendesk_notes: post }
    - { id: C0QUIET, zendesk_notes: skip }
zendesk:
  catch_up_every: 2m
)");
    REQUIRE_MESSAGE(loaded.problems.empty(), all_problems(loaded));
    auto const& channels = loaded.settings.slack.channels;
    REQUIRE(channels.size() == 3);
    CHECK_FALSE(channels[0].post_zendesk_notes);
    CHECK(channels[1].post_zendesk_notes);
    CHECK_FALSE(channels[2].post_zendesk_notes);
    CHECK(loaded.settings.zendesk.catch_up_every == 2min);
    CHECK(load_settings_text("").settings.zendesk.catch_up_every == 5min);
    check_single_problem("slack:\n  channels:\n    - { id: C0A, zendesk_notes: always }\n",
                         "slack.channels[0].zendesk_notes", 3, "post");
    check_single_problem("zendesk:\n  catch_up_every: 5s\n", "zendesk.catch_up_every", 2, "at least 10s");
}

TEST_CASE("config: the pending digest's time, note and auto-solve") {
    auto const loaded = load_settings_text(R"(sla:
  pending_digest_at: "08:45"
  pending_note: We are closing this for now.
  pending_auto_solve: true
)");
    REQUIRE_MESSAGE(loaded.problems.empty(), all_problems(loaded));
    CHECK(loaded.settings.sla.pending_digest_at == 8h + 45min);
    CHECK(loaded.settings.sla.pending_note == "We are closing this for now.");
    CHECK(loaded.settings.sla.pending_auto_solve);
    auto const defaults = load_settings_text("").settings.sla;
    CHECK(defaults.pending_digest_at == 9h + 30min);
    CHECK_FALSE(defaults.pending_auto_solve);
    CHECK(defaults.pending_note.starts_with("We haven't heard back from you"));
}
