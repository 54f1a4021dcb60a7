#include "adapters/http/metrics.hpp"

#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

using tb::http::Metrics;

TEST_CASE("metrics: a series is found again whatever strings its labels were made from") {
    Metrics metrics;
    metrics.describe("tb_requests_total", Metrics::Type::counter, "Requests.");
    for (int status : {200, 200, 404}) {
        std::string const route = "/slack/" + std::string{"events"};
        metrics.inc("tb_requests_total", {{"route", route}, {"status", std::to_string(status)}});
    }
    CHECK(metrics.value("tb_requests_total", {{"route", "/slack/events"}, {"status", "200"}}) == 2);
    CHECK(metrics.value("tb_requests_total", {{"route", "/slack/events"}, {"status", "404"}}) == 1);
    CHECK(metrics.value("tb_requests_total", {{"route", "/slack/events"}}) == 0);

    auto const text = metrics.render();
    CHECK(text.find("# TYPE tb_requests_total counter\n") != std::string::npos);
    CHECK(text.find("tb_requests_total{route=\"/slack/events\",status=\"200\"} 2\n") != std::string::npos);
    CHECK(text.find("tb_requests_total{route=\"/slack/events\",status=\"404\"} 1\n") != std::string::npos);
}

TEST_CASE("metrics: label values are escaped, and a label-less series has no braces") {
    Metrics metrics;
    metrics.inc("tb_odd_total", {{"reason", "say \"hi\"\\\n"}});
    metrics.set("tb_depth", {}, 7);
    auto const text = metrics.render();
    CHECK(text.find("tb_odd_total{reason=\"say \\\"hi\\\"\\\\\\n\"} 1\n") != std::string::npos);
    CHECK(text.find("tb_depth 7\n") != std::string::npos);
    CHECK(metrics.value("tb_odd_total", {{"reason", "say \"hi\"\\\n"}}) == 1);
}

TEST_CASE("metrics: a histogram counts each observation in its bucket and renders cumulatively") {
    Metrics metrics;
    metrics.describe("tb_wait_seconds", Metrics::Type::histogram, "Waits.", {0.1, 1});
    for (double v : {0.05, 0.5, 0.7, 5.0}) metrics.observe("tb_wait_seconds", {{"route", "/x"}}, v);
    auto const text = metrics.render();
    CHECK(text.find("tb_wait_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n") != std::string::npos);
    CHECK(text.find("tb_wait_seconds_bucket{route=\"/x\",le=\"1\"} 3\n") != std::string::npos);
    CHECK(text.find("tb_wait_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n") != std::string::npos);
    CHECK(text.find("tb_wait_seconds_count{route=\"/x\"} 4\n") != std::string::npos);
    CHECK(text.find("tb_wait_seconds_sum{route=\"/x\"} 6.25\n") != std::string::npos);
}

TEST_CASE("metrics: updates from several threads are all counted") {
    Metrics metrics;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&metrics, t] {
            for (int i = 0; i < 5000; ++i) {
                metrics.inc("tb_hits_total", {{"parity", t % 2 == 0 ? "even" : "odd"}});
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(metrics.value("tb_hits_total", {{"parity", "even"}}) == 10000);
    CHECK(metrics.value("tb_hits_total", {{"parity", "odd"}}) == 10000);
}
