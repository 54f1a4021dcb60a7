#include "bot/tickets/triage.hpp"

#include <doctest/doctest.h>

using tb::bot::Priority;
using tb::bot::Settings;
using tb::bot::triage;

namespace {

Settings example() {
    Settings s;
    s.zendesk.default_group = "2nd Line";
    s.zendesk.tags = {"slack"};
    tb::bot::ChannelSettings partner;
    partner.id = "C0PARTNER";
    partner.name = "login-partner-support";
    partner.group = "Partnerships Engineering";
    partner.priority = Priority::normal;
    s.slack.channels.push_back(partner);
    tb::bot::ChannelSettings plain;
    plain.id = "C0PLAIN";
    s.slack.channels.push_back(plain);
    s.triage.push_back({{"security", "vulnerability"}, {}, "3rd Line--Cyber Security", Priority::high, {"security"}});
    s.triage.push_back({{"gdpr", "data protection"}, {}, "3rd Line--GDS Privacy", std::nullopt, {}});
    s.triage.push_back({{"outage"}, {"C0PLAIN"}, std::nullopt, Priority::urgent, {}});
    return s;
}

}  // namespace

TEST_CASE("the first matching rule sets group, priority and tags") {
    auto const s = example();
    auto const r = triage(s, "C0PARTNER", "We found a Security issue in login");
    CHECK(r.group == "3rd Line--Cyber Security");
    CHECK(r.priority == Priority::high);
    CHECK(r.tags == std::vector<std::string>{"slack", "security"});
}

TEST_CASE("keywords match whole words and phrases, ignoring case") {
    CHECK(tb::bot::mentions_keyword("a GDPR request", "gdpr"));
    CHECK(tb::bot::mentions_keyword("about data  protection", "data protection") == false);
    CHECK(tb::bot::mentions_keyword("about Data Protection.", "data protection"));
    CHECK_FALSE(tb::bot::mentions_keyword("insecurity", "security"));
    CHECK_FALSE(tb::bot::mentions_keyword("securityfix", "security"));
    CHECK(tb::bot::mentions_keyword("(security)", "security"));
}

TEST_CASE("what a rule leaves unset comes from the channel, then the defaults") {
    auto const s = example();
    auto const privacy = triage(s, "C0PARTNER", "gdpr question");
    CHECK(privacy.group == "3rd Line--GDS Privacy");
    CHECK(privacy.priority == Priority::normal);
    auto const none = triage(s, "C0PARTNER", "how do I log in?");
    CHECK(none.group == "Partnerships Engineering");
    auto const plain = triage(s, "C0PLAIN", "how do I log in?");
    CHECK(plain.group == "2nd Line");
    CHECK(plain.priority == Priority::normal);
    CHECK(plain.tags == std::vector<std::string>{"slack"});
}

TEST_CASE("a rule limited to channels applies only there") {
    auto const s = example();
    CHECK(triage(s, "C0PLAIN", "big outage").priority == Priority::urgent);
    CHECK(triage(s, "C0PARTNER", "big outage").priority == Priority::normal);
}

TEST_CASE("priorities parse in any case") {
    CHECK(tb::bot::parse_priority("HIGH") == Priority::high);
    CHECK(tb::bot::parse_priority("low") == Priority::low);
    CHECK_FALSE(tb::bot::parse_priority("highest"));
}
