#include "adapters/cli/demo_calls.hpp"

#include <ctime>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/crypto.hpp"

namespace tb::cli::demo {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> send_into(http::HttpClient& client, http::OutboundRequest request,
                                LoopbackAnswer& answer) {
    auto response = co_await client.send(std::move(request));
    if (!response) co_return;
    answer.status = static_cast<int>(response->result_int());
    answer.body = std::move(response->body());
}

LoopbackAnswer exchange(http::OutboundRequest request) {
    asio::io_context io;
    http::HttpClient client{io.get_executor(), http::ClientSettings{}};
    LoopbackAnswer answer;
    auto const started = std::chrono::steady_clock::now();
    asio::co_spawn(io, send_into(client, std::move(request), answer), asio::detached);
    io.run();
    answer.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return answer;
}

std::string url(std::uint16_t port, std::string const& path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
}

}  // namespace

std::uint16_t free_loopback_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address_v4("127.0.0.1"), 0}};
    return acceptor.local_endpoint().port();
}

LoopbackAnswer loopback_get(std::uint16_t port, std::string path,
                            std::chrono::milliseconds timeout) {
    http::OutboundRequest request;
    request.url = url(port, path);
    request.timeout = timeout;
    return exchange(std::move(request));
}

LoopbackAnswer post_as_slack(std::uint16_t port, std::string path,
                             std::string const& signing_secret, std::string body,
                             std::string content_type) {
    auto const timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    auto const signature =
        "v0=" + http::to_hex(http::hmac_sha256(signing_secret, "v0:" + timestamp + ":", body));
    http::OutboundRequest request;
    request.method = http::bhttp::verb::post;
    request.url = url(port, path);
    request.headers = {{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", signature}};
    request.content_type = std::move(content_type);
    request.body = std::move(body);
    request.timeout = std::chrono::seconds{10};
    return exchange(std::move(request));
}

LoopbackAnswer post_as_zendesk(std::uint16_t port, std::string const& secret, std::string body) {
    auto const now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char timestamp[32];
    std::strftime(timestamp, sizeof timestamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    auto const digest = http::hmac_sha256(secret, timestamp, body);
    http::OutboundRequest request;
    request.method = http::bhttp::verb::post;
    request.url = url(port, "/zendesk/webhook");
    request.headers = {{"X-Zendesk-Webhook-Signature-Timestamp", timestamp},
                       {"X-Zendesk-Webhook-Signature",
                        http::to_base64({reinterpret_cast<char const*>(digest.data()), digest.size()})}};
    request.content_type = "application/json";
    request.body = std::move(body);
    request.timeout = std::chrono::seconds{10};
    return exchange(std::move(request));
}

}  // namespace tb::cli::demo
