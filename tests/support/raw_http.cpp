#include "tests/support/raw_http.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "adapters/http/crypto.hpp"

namespace tb::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

HttpAnswer exchange(std::uint16_t port, std::string const& bytes, std::chrono::milliseconds timeout) {
    asio::io_context io;
    beast::tcp_stream stream{io};
    HttpAnswer answer;
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bool done = false;
    stream.expires_after(timeout);
    stream.async_connect({asio::ip::make_address("127.0.0.1"), port}, [&](beast::error_code ec) {
        if (ec) return;
        asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code wec, std::size_t) {
            // The server may answer (e.g. 413) and close before it reads everything we send.
            (void)wec;
            stream.expires_after(timeout);
            bhttp::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
                if (!rec) done = true;
            });
        });
    });
    io.run();
    if (!done) return answer;
    auto const& message = parser.get();
    answer.status = static_cast<int>(message.result_int());
    for (auto const& field : message) {
        std::string name{field.name_string()};
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        answer.headers[name] = std::string{field.value()};
    }
    answer.body = message.body();
    return answer;
}

}  // namespace

HttpAnswer raw_request(std::uint16_t port, std::string bytes, std::chrono::milliseconds timeout) {
    return exchange(port, bytes, timeout);
}

HttpAnswer http_request(std::uint16_t port, std::string method, std::string target, Headers headers,
                        std::string body, std::chrono::milliseconds timeout) {
    std::string bytes = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (auto const& [k, v] : headers) bytes += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST") bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    bytes += "\r\n" + body;
    return exchange(port, bytes, timeout);
}

Headers slack_signed_headers(std::string const& secret, std::string const& body, std::int64_t unix_time,
                             std::string content_type) {
    auto const ts = std::to_string(unix_time);
    auto const signature = "v0=" + http::to_hex(http::hmac_sha256(secret, "v0:" + ts + ":", body));
    return {{"Content-Type", std::move(content_type)},
            {"X-Slack-Request-Timestamp", ts},
            {"X-Slack-Signature", signature}};
}

Headers zendesk_signed_headers(std::string const& secret, std::string const& body,
                               std::string const& iso_timestamp) {
    auto const digest = http::hmac_sha256(secret, iso_timestamp, body);
    auto const signature =
        http::to_base64(std::string_view{reinterpret_cast<char const*>(digest.data()), digest.size()});
    return {{"Content-Type", "application/json"},
            {"X-Zendesk-Account-Id", "22129848"},
            {"X-Zendesk-Webhook-Id", "01GZ3K6X6ZQ0J8W4Y5PCRX2S0B"},
            {"X-Zendesk-Webhook-Invocation-Id", "8350205612345"},
            {"X-Zendesk-Webhook-Signature-Timestamp", iso_timestamp},
            {"X-Zendesk-Webhook-Signature", signature}};
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso_utc(std::int64_t unix_time) {
    std::time_t const t = unix_time;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

bool wait_until_healthy(std::uint16_t port, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (http_request(port, "GET", "/healthz", {}, {}, std::chrono::milliseconds{500}).status == 200) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return false;
}

}  // namespace tb::testing
