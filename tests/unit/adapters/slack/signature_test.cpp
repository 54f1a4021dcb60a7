#include "adapters/slack/signature.hpp"

#include <doctest/doctest.h>

#include "tests/support/files.hpp"

using tb::slack::Verdict;
using tb::slack::verify_signature;

TEST_CASE("slack signature: the published vectors verify") {
    auto const vectors = tb::testing::spec_json("slack/signature-test-vectors.json");
    REQUIRE(vectors["valid"].size() >= 3);
    for (auto const& v : vectors["valid"]) {
        CAPTURE(v["name"].get<std::string>());
        auto const ts = v["x_slack_request_timestamp"].get<std::string>();
        CHECK(verify_signature(v["signing_secret"].get<std::string>(), ts,
                               v["x_slack_signature"].get<std::string>(),
                               v["body"].get<std::string>(), std::stoll(ts)) == Verdict::valid);
    }
}

TEST_CASE("slack signature: tampered, stale, wrong version and missing are refused") {
    auto const vectors = tb::testing::spec_json("slack/signature-test-vectors.json");
    auto const& docs = vectors["valid"][0];
    auto const secret = docs["signing_secret"].get<std::string>();
    auto const ts = docs["x_slack_request_timestamp"].get<std::string>();
    auto const sig = docs["x_slack_signature"].get<std::string>();
    auto const body = docs["body"].get<std::string>();
    auto const now = std::stoll(ts);

    CHECK(verify_signature(secret, ts, sig, body + "------", now) == Verdict::forged);
    CHECK(verify_signature(secret, ts, sig, body, now + 301) == Verdict::stale);
    CHECK(verify_signature(secret, ts, sig, body, now - 301) == Verdict::stale);
    CHECK(verify_signature(secret, ts, sig, body, now + 300) == Verdict::valid);
    CHECK(verify_signature(secret, ts, "v1=" + sig.substr(3), body, now) == Verdict::forged);
    CHECK(verify_signature(secret, ts, sig.substr(3), body, now) == Verdict::forged);
    CHECK(verify_signature(secret, ts, sig + "0", body, now) == Verdict::forged);
    CHECK(verify_signature(secret, ts, sig.substr(0, sig.size() - 1), body, now) == Verdict::forged);
    CHECK(verify_signature("another-secret", ts, sig, body, now) == Verdict::forged);
    CHECK(verify_signature(secret, "", sig, body, now) == Verdict::missing);
    CHECK(verify_signature(secret, ts, "", body, now) == Verdict::missing);
    CHECK(verify_signature(secret, "12x", sig, body, now) == Verdict::forged);
}
