#include "tests/fakes/fake_http_server.hpp"

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include <doctest/doctest.h>

#include "tests/fakes/test_tls.hpp"
#include "tests/unit/fakes/test_client.hpp"

namespace {

using namespace tb::fakes;
using namespace tb::fakes::testing;
using namespace std::chrono_literals;

// Echoes the target; deliberately leaves Content-Length to the server.
Response echo(Request const& req) {
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain");
    res.body() = "you asked for " + std::string{req.target()};
    return res;
}

template <class F>
std::chrono::milliseconds time_of(F&& f) {
    auto const start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

}  // namespace

TEST_CASE("fake http server answers, records in order and keeps the connection alive") {
    FakeHttpServer server{echo};
    CHECK(server.base_url() == "http://127.0.0.1:" + std::to_string(server.port()));
    TestClient client{server.port()};

    auto const first = client.send(make_request(http::verb::get, "/one"));
    auto const second = client.send(make_request(http::verb::post, "/two", R"({"a":1})"));

    CHECK(first.result() == http::status::ok);
    CHECK(first.body() == "you asked for /one");
    CHECK(first[http::field::content_length] == std::to_string(first.body().size()));
    CHECK(second.body() == "you asked for /two");
    auto const seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].target() == "/one");
    CHECK(seen[1].target() == "/two");
    CHECK(seen[1].body() == R"({"a":1})");
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("fake http server closes after answering a Connection: close request") {
    FakeHttpServer server{echo};
    TestClient client{server.port()};
    auto req = make_request(http::verb::get, "/bye");
    req.keep_alive(false);
    auto const res = client.send(std::move(req));
    CHECK_FALSE(res.keep_alive());
    client.send(make_request(http::verb::get, "/again"));
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("fake http server turns a throwing handler into a 500") {
    FakeHttpServer server{[](Request const&) -> Response { throw std::runtime_error{"boom"}; }};
    TestClient client{server.port()};
    auto const res = client.send(make_request(http::verb::get, "/x"));
    CHECK(res.result() == http::status::internal_server_error);
    CHECK(res.body().find("boom") != std::string::npos);
}

TEST_CASE("fake http server fail_next answers 429 with Retry-After, then recovers") {
    FakeHttpServer server{echo};
    server.fail_next(Fault::status_429, 2, 7s);
    TestClient client{server.port()};

    auto const a = client.send(make_request(http::verb::get, "/api/v2/tickets"));
    auto const b = client.send(make_request(http::verb::get, "/api/chat.postMessage"));
    auto const c = client.send(make_request(http::verb::get, "/c"));

    CHECK(a.result() == http::status::too_many_requests);
    CHECK(a[http::field::retry_after] == "7");
    CHECK(a.body().find("APIRateLimitExceeded") != std::string::npos);
    CHECK(b.result() == http::status::too_many_requests);
    CHECK(b.body().find("ratelimited") != std::string::npos);
    CHECK(a[http::field::content_length] == std::to_string(a.body().size()));
    CHECK(c.result() == http::status::ok);
    CHECK(server.requests().size() == 3);  // faulted requests are recorded too
}

TEST_CASE("fake http server fail_next 500 and fail_for a time window") {
    FakeHttpServer server{echo};
    TestClient client{server.port()};
    server.fail_next(Fault::status_500);
    CHECK(client.send(make_request(http::verb::get, "/a")).result() ==
          http::status::internal_server_error);
    CHECK(client.send(make_request(http::verb::get, "/b")).result() == http::status::ok);

    server.fail_for(Fault::status_500, 300ms);
    CHECK(client.send(make_request(http::verb::get, "/c")).result() ==
          http::status::internal_server_error);
    CHECK(client.send(make_request(http::verb::get, "/d")).result() ==
          http::status::internal_server_error);
    std::this_thread::sleep_for(350ms);
    CHECK(client.send(make_request(http::verb::get, "/e")).result() == http::status::ok);
}

TEST_CASE("fake http server close fault drops the connection without an answer") {
    FakeHttpServer server{echo};
    server.fail_next(Fault::close);
    TestClient client{server.port()};
    Response res;
    auto const ec = client.try_send(make_request(http::verb::get, "/x"), res, 2s);
    CHECK(ec);
    CHECK(ec != beast::error::timeout);
    CHECK(client.send(make_request(http::verb::get, "/y")).result() == http::status::ok);
    CHECK(server.requests().size() == 2);
}

TEST_CASE("fake http server hang fault hangs until the client times out") {
    FakeHttpServer server{echo};
    server.fail_next(Fault::hang);
    TestClient client{server.port()};
    Response res;
    boost::system::error_code ec;
    auto const took =
        time_of([&] { ec = client.try_send(make_request(http::verb::get, "/x"), res, 300ms); });
    CHECK(ec == beast::error::timeout);
    CHECK(took >= 250ms);
    CHECK(server.requests().size() == 1);
}

TEST_CASE("fake http server stop returns promptly and releases a hung client") {
    auto server = std::make_unique<FakeHttpServer>(echo);
    server->fail_next(Fault::hang);
    auto const port = server->port();
    auto hung = std::async(std::launch::async, [port] {
        TestClient client{port};
        Response res;
        return client.try_send(make_request(http::verb::get, "/x"), res, 10s);
    });
    while (server->requests().empty()) std::this_thread::sleep_for(5ms);

    CHECK(time_of([&] { server->stop(); }) < 1000ms);
    REQUIRE(hung.wait_for(2s) == std::future_status::ready);
    auto const ec = hung.get();
    CHECK(ec);
    CHECK(ec != beast::error::timeout);
    CHECK(time_of([&] { server.reset(); }) < 1000ms);
}

TEST_CASE("fake http server destructor is prompt with a hung connection") {
    auto server = std::make_unique<FakeHttpServer>(echo);
    server->fail_next(Fault::hang);
    TestClient client{server->port()};
    Response res;
    CHECK(client.try_send(make_request(http::verb::get, "/x"), res, 100ms) ==
          beast::error::timeout);
    CHECK(time_of([&] { server.reset(); }) < 1000ms);
}

TEST_CASE("fake http server speaks TLS to a client that trusts its certificate") {
    auto const identity = make_self_signed_identity();
    CHECK(identity.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(identity.private_key_pem.find("PRIVATE KEY-----") != std::string::npos);
    FakeHttpServer server{echo, identity};
    CHECK(server.base_url().starts_with("https://127.0.0.1:"));

    asio::ssl::context trusting{asio::ssl::context::tls_client};
    trusting.set_verify_mode(asio::ssl::verify_peer);
    trusting.add_certificate_authority(asio::buffer(identity.certificate_pem));
    TestClient client{server.port(), &trusting};
    CHECK(client.send(make_request(http::verb::get, "/secure")).body() == "you asked for /secure");
    CHECK(client.send(make_request(http::verb::get, "/again")).body() == "you asked for /again");
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("fake http server TLS fails verification for a client that does not trust it") {
    FakeHttpServer server{echo, make_self_signed_identity()};
    asio::ssl::context strict{asio::ssl::context::tls_client};
    strict.set_verify_mode(asio::ssl::verify_peer);
    strict.add_certificate_authority(asio::buffer(make_self_signed_identity().certificate_pem));
    TestClient client{server.port(), &strict};
    Response res;
    auto const ec = client.try_send(make_request(http::verb::get, "/secure"), res, 2s);
    CHECK(ec);
    CHECK(ec.category() == asio::error::get_ssl_category());
    CHECK(server.requests().empty());
}

TEST_CASE("fake http server TLS certificate names 127.0.0.1 and not another host") {
    auto const identity = make_self_signed_identity();
    FakeHttpServer server{echo, identity};
    asio::ssl::context trusting{asio::ssl::context::tls_client};
    trusting.set_verify_mode(asio::ssl::verify_peer);
    trusting.add_certificate_authority(asio::buffer(identity.certificate_pem));
    // The client verifies against a different IP than the certificate carries.
    asio::io_context ioc;
    beast::ssl_stream<beast::tcp_stream> other{ioc, trusting};
    other.set_verify_callback(asio::ssl::host_name_verification("10.1.2.3"));
    beast::get_lowest_layer(other).connect(
        asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), server.port()});
    boost::system::error_code ec;
    other.handshake(asio::ssl::stream_base::client, ec);
    CHECK(ec);
}
