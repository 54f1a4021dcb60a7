#include "adapters/zendesk/signature.hpp"

#include <doctest/doctest.h>

#include "tests/support/files.hpp"

using tb::zendesk::parse_iso8601_utc;
using tb::zendesk::signature_matches;
using tb::zendesk::Verdict;
using tb::zendesk::verify_webhook;

namespace {

std::string body_of(nlohmann::json const& v) {
    if (v.contains("body")) return v["body"].get<std::string>();
    return tb::testing::read_file(tb::testing::spec_path("zendesk/" + v["body_file"].get<std::string>()));
}

}  // namespace

TEST_CASE("zendesk signature: the published and computed vectors verify") {
    auto const vectors = tb::testing::spec_json("zendesk/signature-test-vectors.json");
    int checked = 0;
    for (auto const* group : {"valid", "computed"}) {
        for (auto const& v : vectors[group]) {
            CAPTURE(v["name"].get<std::string>());
            CHECK(signature_matches(v["signing_secret"].get<std::string>(),
                                    v["x_zendesk_webhook_signature_timestamp"].get<std::string>(),
                                    v["x_zendesk_webhook_signature"].get<std::string>(), body_of(v)));
            ++checked;
        }
    }
    CHECK(checked >= 3);
}

TEST_CASE("zendesk signature: the invalid vectors are refused") {
    auto const vectors = tb::testing::spec_json("zendesk/signature-test-vectors.json");
    for (auto const& v : vectors["invalid"]) {
        CAPTURE(v["name"].get<std::string>());
        auto body = body_of(v);
        if (v["name"] == "body-final-newline-stripped") body.pop_back();
        CHECK_FALSE(signature_matches(v["signing_secret"].get<std::string>(),
                                      v["x_zendesk_webhook_signature_timestamp"].get<std::string>(),
                                      v["x_zendesk_webhook_signature"].get<std::string>(), body));
    }
}

TEST_CASE("zendesk signature: timestamps outside five minutes are stale") {
    auto const v = tb::testing::spec_json("zendesk/signature-test-vectors.json")["computed"][0];
    auto const secret = v["signing_secret"].get<std::string>();
    auto const ts = v["x_zendesk_webhook_signature_timestamp"].get<std::string>();
    auto const sig = v["x_zendesk_webhook_signature"].get<std::string>();
    auto const body = body_of(v);
    auto const sent = parse_iso8601_utc(ts);
    REQUIRE(sent);
    CHECK(verify_webhook(secret, ts, sig, body, *sent + 60) == Verdict::valid);
    CHECK(verify_webhook(secret, ts, sig, body, *sent + 301) == Verdict::stale);
    CHECK(verify_webhook(secret, ts, sig, body + " ", *sent) == Verdict::forged);
    CHECK(verify_webhook(secret, "", sig, body, *sent) == Verdict::missing);
}

TEST_CASE("zendesk timestamps parse as UTC, with or without fractions") {
    CHECK(parse_iso8601_utc("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_iso8601_utc("2021-03-25T05:09:27Z") == 1616648967);
    CHECK(parse_iso8601_utc("2021-03-25T05:09:27.123456789Z") == 1616648967);
    CHECK_FALSE(parse_iso8601_utc("2021-02-30T05:09:27Z"));
    CHECK_FALSE(parse_iso8601_utc("1234"));
    CHECK_FALSE(parse_iso8601_utc("2021-03-25 05:09:27"));
}
