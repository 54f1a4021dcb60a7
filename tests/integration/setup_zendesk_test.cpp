// `ticketbridge setup-zendesk`: the real binary against the fake Zendesk's Webhooks API.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_zendesk.hpp"
#include "tests/support/process.hpp"

using namespace tb::testing;

namespace {

constexpr char const* kEmail = "admin@example.com";
constexpr char const* kToken = "zd-api-token-5ecret";

std::vector<std::string> const kEvents{
    "zen:event-type:ticket.status_changed",
    "zen:event-type:ticket.priority_changed",
    "zen:event-type:ticket.agent_assignment_changed",
    "zen:event-type:ticket.group_assignment_changed",
    "zen:event-type:ticket.comment_added",
    "zen:event-type:ticket.subject_changed",
    "zen:event-type:ticket.merged",
    "zen:event-type:ticket.soft_deleted",
    "zen:event-type:ticket.permanently_deleted",
};

bool says(std::string const& output, std::string const& text) {
    return output.find(text) != std::string::npos;
}

struct Run {
    int code = -1;
    std::string output;
};

struct SetupWorld {
    tb::fakes::FakeZendesk zendesk;
    std::filesystem::path dir = temp_dir("tb-setup");
    int runs = 0;

    SetupWorld() { zendesk.expect_basic(kEmail, kToken); }
    ~SetupWorld() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }

    Run run(std::vector<std::string> args, std::string const& token = kToken) {
        args.insert(args.begin(), "setup-zendesk");
        std::map<std::string, std::string> env{{"ZENDESK_URL", zendesk.base_url()},
                                               {"ZENDESK_EMAIL", kEmail},
                                               {"ZENDESK_API_TOKEN", token},
                                               {"ZENDESK_OAUTH_TOKEN", ""}};
        ChildProcess child{TB_BINARY, std::move(args), env,
                           dir / ("run" + std::to_string(++runs) + ".log")};
        auto const code = child.wait(std::chrono::seconds{30});
        REQUIRE_MESSAGE(code.has_value(), child.output());
        return {*code, child.output()};
    }

    nlohmann::json only_webhook() {
        auto const all = zendesk.webhooks();
        REQUIRE(all.size() == 1);
        return all.at(0);
    }
};

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::string> subscriptions_of(nlohmann::json const& webhook) {
    return sorted(webhook.at("subscriptions").get<std::vector<std::string>>());
}

}  // namespace

TEST_CASE("setup-zendesk: creates the webhook, then a rerun leaves it unchanged") {
    SetupWorld world;
    auto const first = world.run({"--url", "https://bridge.example.com/"});
    REQUIRE_MESSAGE(first.code == 0, first.output);
    auto const webhook = world.only_webhook();
    CHECK(webhook.at("name") == "ticketbridge");
    CHECK(webhook.at("endpoint") == "https://bridge.example.com/zendesk/webhook");
    CHECK(webhook.at("status") == "active");
    CHECK(webhook.at("http_method") == "POST");
    CHECK(webhook.at("request_format") == "json");
    CHECK_FALSE(webhook.contains("authentication"));
    CHECK(subscriptions_of(webhook) == sorted(kEvents));
    auto const secret = webhook.at("signing_secret").at("secret").get<std::string>();
    CHECK_MESSAGE(says(first.output, "created webhook \"ticketbridge\""), first.output);
    CHECK(says(first.output, webhook.at("id").get<std::string>()));
    CHECK(says(first.output, "https://bridge.example.com/zendesk/webhook"));
    CHECK(says(first.output, "zen:event-type:ticket.permanently_deleted"));
    CHECK(says(first.output, "ZENDESK_WEBHOOK_SECRET=" + secret + "\n"));

    auto const second = world.run({"--url", "https://bridge.example.com"});
    REQUIRE_MESSAGE(second.code == 0, second.output);
    CHECK_MESSAGE(says(second.output, "unchanged webhook \"ticketbridge\""), second.output);
    CHECK(says(second.output, "ZENDESK_WEBHOOK_SECRET=" + secret + "\n"));
    auto const again = world.only_webhook();
    CHECK(again.at("id") == webhook.at("id"));
    CHECK(again.at("updated_at") == webhook.at("updated_at"));
    CHECK_FALSE(says(first.output + second.output, kToken));
    CHECK(world.zendesk.violations().empty());
}

TEST_CASE("setup-zendesk: a changed --url updates the same webhook") {
    SetupWorld world;
    REQUIRE(world.run({"--url", "https://old.example.com"}).code == 0);
    auto const before = world.only_webhook();
    auto const changed = world.run({"--url", "https://new.example.com"});
    REQUIRE_MESSAGE(changed.code == 0, changed.output);
    CHECK_MESSAGE(says(changed.output, "updated webhook \"ticketbridge\""), changed.output);
    auto const after = world.only_webhook();
    CHECK(after.at("id") == before.at("id"));
    CHECK(after.at("endpoint") == "https://new.example.com/zendesk/webhook");
    CHECK(subscriptions_of(after) == sorted(kEvents));
    CHECK(says(changed.output,
               "ZENDESK_WEBHOOK_SECRET=" + after.at("signing_secret").at("secret").get<std::string>()));
    CHECK(world.zendesk.violations().empty());
}

TEST_CASE("setup-zendesk: --dry-run changes nothing") {
    SetupWorld world;
    auto const dry = world.run({"--url", "https://bridge.example.com", "--dry-run"});
    REQUIRE_MESSAGE(dry.code == 0, dry.output);
    CHECK_MESSAGE(says(dry.output, "would create webhook \"ticketbridge\""), dry.output);
    CHECK(says(dry.output, "nothing was changed"));
    CHECK(world.zendesk.webhooks().empty());

    REQUIRE(world.run({"--url", "https://bridge.example.com", "--name", "tb-prod"}).code == 0);
    auto const before = world.only_webhook();
    auto const dry_update =
        world.run({"--url", "https://other.example.com", "--name", "tb-prod", "--dry-run"});
    REQUIRE_MESSAGE(dry_update.code == 0, dry_update.output);
    CHECK_MESSAGE(says(dry_update.output, "would update webhook \"tb-prod\""), dry_update.output);
    CHECK_FALSE(says(dry_update.output, "ZENDESK_WEBHOOK_SECRET="));
    CHECK(world.only_webhook() == before);
    CHECK(world.zendesk.violations().empty());
}

TEST_CASE("setup-zendesk: refuses a plain http URL that is not loopback") {
    SetupWorld world;
    auto const refused = world.run({"--url", "http://bridge.example.com"});
    CHECK(refused.code != 0);
    CHECK_MESSAGE(says(refused.output, "--url http://bridge.example.com"), refused.output);
    CHECK(says(refused.output, "https://"));
    CHECK(world.zendesk.webhooks().empty());
    CHECK(world.zendesk.requests().empty());

    auto const loopback = world.run({"--url", "http://127.0.0.1:3000", "--dry-run"});
    CHECK_MESSAGE(loopback.code == 0, loopback.output);
    CHECK(says(loopback.output, "http://127.0.0.1:3000/zendesk/webhook"));
}

TEST_CASE("setup-zendesk: wrong credentials fail with a reason and never show the token") {
    SetupWorld world;
    std::string const wrong = "wrong-token-9f8e7d";
    auto const denied = world.run({"--url", "https://bridge.example.com"}, wrong);
    CHECK(denied.code != 0);
    CHECK_MESSAGE(says(denied.output, "401"), denied.output);
    CHECK(says(denied.output, "ZENDESK_API_TOKEN"));
    CHECK_FALSE(says(denied.output, wrong));
    CHECK_FALSE(says(denied.output, kToken));
    CHECK(world.zendesk.webhooks().empty());
    CHECK(world.zendesk.violations().empty());
}
