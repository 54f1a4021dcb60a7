// Connection-level behaviour of the real binary: keep-alive, deadlines, the connection cap.
#include <doctest/doctest.h>

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "tests/integration/service_fixture.hpp"

using namespace tb::testing;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

tcp::socket connect(asio::io_context& io, std::uint16_t port) {
    tcp::socket socket{io};
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    return socket;
}

// Reads until the peer closes or `within` passes; true when it closed.
bool closed_within(tcp::socket& socket, std::chrono::milliseconds within) {
    socket.non_blocking(true);
    auto const deadline = std::chrono::steady_clock::now() + within;
    std::array<char, 4096> buffer{};
    while (std::chrono::steady_clock::now() < deadline) {
        boost::system::error_code ec;
        auto const n = socket.read_some(asio::buffer(buffer), ec);
        if (ec == asio::error::would_block) {
            std::this_thread::sleep_for(std::chrono::milliseconds{10});
            continue;
        }
        (void)n;
        if (ec) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("server: one connection serves several requests (keep-alive)") {
    ServiceUnderTest service;
    asio::io_context io;
    auto socket = connect(io, service.port());
    boost::beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
        bhttp::request<bhttp::empty_body> request{bhttp::verb::get, "/healthz", 11};
        request.set(bhttp::field::host, "127.0.0.1");
        bhttp::write(socket, request);
        bhttp::response<bhttp::string_body> response;
        bhttp::read(socket, buffer, response);
        CHECK(response.result_int() == 200);
        CHECK(response.keep_alive());
    }
}

TEST_CASE("server: an idle connection is closed after idle_timeout, a slow request after read_timeout") {
    ServiceUnderTest service{"server: { idle_timeout: 300ms, read_timeout: 300ms }\n"};
    asio::io_context io;
    auto idle = connect(io, service.port());
    CHECK(closed_within(idle, std::chrono::seconds{3}));

    auto slow = connect(io, service.port());
    asio::write(slow, asio::buffer(std::string{"POST /slack/events HTTP/1.1\r\nHost: x\r\n"}));
    CHECK(closed_within(slow, std::chrono::seconds{3}));
    CHECK(http_request(service.port(), "GET", "/healthz").status == 200);
    CHECK(service.metrics().find(R"(tb_http_rejected_total{reason="timeout"} 1)") != std::string::npos);
}

TEST_CASE("server: connections beyond max_connections get 503 and the service keeps serving") {
    ServiceUnderTest service{"server: { max_connections: 2 }\n"};
    asio::io_context io;
    auto first = connect(io, service.port());
    auto second = connect(io, service.port());
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    auto const refused = http_request(service.port(), "GET", "/healthz");
    CHECK(refused.status == 503);
    CHECK(refused.headers.at("retry-after") == "1");
    first.close();
    second.close();
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    CHECK(http_request(service.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("server: Slack's ssl_check is answered without recording anything") {
    ServiceUnderTest service;
    auto const body = std::string{"ssl_check=1&token=x"};
    CHECK(service.post_slack("/slack/commands", body, "application/x-www-form-urlencoded").status == 200);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source <> 'scheduled'") == 0);
}
