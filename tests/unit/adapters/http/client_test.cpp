#include "adapters/http/client.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/fakes/fake_http_server.hpp"
#include "tests/fakes/test_tls.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using tb::Result;
using tb::fakes::FakeHttpServer;
using tb::fakes::Fault;
using tb::http::ClientSettings;
using tb::http::errc;
using tb::http::HttpClient;
using tb::http::OutboundRequest;
using tb::http::Response;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

Response echo(tb::fakes::Request const& req) {
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain");
    res.body() =
        std::string{req.method_string()} + " " + std::string{req.target()} + " " + req.body();
    return res;
}

OutboundRequest get(std::string url) {
    OutboundRequest request;
    request.method = http::verb::get;
    request.url = std::move(url);
    return request;
}

// Runs one send on `ioc` for at most `limit`; fails the test if it did not finish.
Result<Response> fetch(asio::io_context& ioc, HttpClient& client, OutboundRequest request,
                       std::chrono::milliseconds limit = 10s) {
    std::optional<Result<Response>> out;
    auto task = client.send(std::move(request));
    asio::co_spawn(ioc, std::move(task), [&out](std::exception_ptr e, Result<Response> r) {
        if (e) std::rethrow_exception(e);
        out = std::move(r);
    });
    ioc.restart();
    ioc.run_for(limit);
    REQUIRE_MESSAGE(out.has_value(), "send did not finish in time");
    return std::move(*out);
}

std::chrono::milliseconds elapsed_since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// A self-signed certificate whose only name is IP:127.0.0.1 (the shared helper also names
// localhost, and the wrong-host test needs a name the client will not match).
tb::fakes::TlsIdentity identity_for_ip_only() {
    auto require = [](bool ok) {
        if (!ok) throw std::runtime_error{"test certificate"};
    };
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_EC_gen("P-256"), EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert{X509_new(), X509_free};
    require(key && cert);
    require(X509_set_version(cert.get(), X509_VERSION_3) == 1);
    require(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7) == 1);
    require(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr);
    require(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600) != nullptr);
    require(X509_set_pubkey(cert.get(), key.get()) == 1);
    auto* name = X509_get_subject_name(cert.get());
    auto const* cn = reinterpret_cast<unsigned char const*>("127.0.0.1");
    require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) == 1);
    require(X509_set_issuer_name(cert.get(), name) == 1);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
        std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> ext{
            X509V3_EXT_conf_nid(nullptr, &ctx, nid, value), X509_EXTENSION_free};
        require(ext && X509_add_ext(cert.get(), ext.get(), -1) == 1);
    }
    require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
    auto pem = [](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free_all)> bio{BIO_new(BIO_s_mem()), BIO_free_all};
        if (!bio || !write(bio.get())) throw std::runtime_error{"test certificate PEM"};
        char* data = nullptr;
        auto const size = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(size));
    };
    return {pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()) == 1; }), pem([&](BIO* b) {
                return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr,
                                                nullptr) == 1;
            })};
}

// A blocking HTTP server that answers one request per connection with a keep-alive response
// and then closes it: a peer that drops idle connections. Counts connections and requests.
class OneShotServer {
public:
    OneShotServer() {
        thread_ = std::thread{[this] { run(); }};
    }
    ~OneShotServer() {
        boost::system::error_code ignored;
        stopping_ = true;
        tcp::socket poke{ioc_};
        poke.connect(acceptor_.local_endpoint(), ignored);  // unblock accept()
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    std::atomic<int> connections{0};
    std::atomic<int> requests{0};
    std::atomic<int> closed{0};

private:
    void run() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket{ioc_};
            acceptor_.accept(socket, ec);
            if (stopping_ || ec) return;
            ++connections;
            beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(socket, buffer, req, ec);
            if (!ec) {
                ++requests;
                Response res{http::status::ok, 11};
                res.body() = "one shot";
                res.prepare_payload();  // HTTP/1.1 without Connection: close means keep-alive
                http::write(socket, res, ec);
            }
            socket.shutdown(tcp::socket::shutdown_both, ec);
            socket.close(ec);
            ++closed;
        }
    }

    asio::io_context ioc_;
    tcp::acceptor acceptor_{ioc_, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("http client: GET and POST round-trip with the expected headers") {
    FakeHttpServer server{echo};
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};

    auto got = fetch(ioc, client, get(server.base_url() + "/api/items?page=2"));
    REQUIRE(got.has_value());
    CHECK(got->result() == http::status::ok);
    CHECK(got->body() == "GET /api/items?page=2 ");

    OutboundRequest post;
    post.method = http::verb::post;
    post.url = server.base_url() + "/api/chat.postMessage";
    post.headers = {{"Authorization", "Bearer xoxb-secret"}, {"X-Extra", "1"}};
    post.body = R"({"text":"hi"})";
    post.content_type = "application/json; charset=utf-8";
    auto posted = fetch(ioc, client, post);
    REQUIRE(posted.has_value());
    CHECK(posted->body() == R"(POST /api/chat.postMessage {"text":"hi"})");

    auto const seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0][http::field::host] == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(seen[0][http::field::user_agent] == "ticketbridge/" TB_VERSION);
    CHECK(seen[0].count(http::field::content_type) == 0);
    CHECK(seen[1][http::field::authorization] == "Bearer xoxb-secret");
    CHECK(seen[1]["X-Extra"] == "1");
    CHECK(seen[1][http::field::content_type] == "application/json; charset=utf-8");
    CHECK(seen[1][http::field::content_length] == std::to_string(post.body.size()));
}

TEST_CASE("http client: keep-alive reuses one connection for sequential requests") {
    FakeHttpServer server{echo};
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};

    CHECK(fetch(ioc, client, get(server.base_url() + "/a")).has_value());
    CHECK(client.idle_count() == 1);
    CHECK(fetch(ioc, client, get(server.base_url() + "/b")).has_value());
    CHECK(server.requests().size() == 2);
    CHECK(server.connections_accepted() == 1);

    client.close_idle();
    CHECK(client.idle_count() == 0);
    CHECK(fetch(ioc, client, get(server.base_url() + "/c")).has_value());
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE(
    "http client: concurrent requests use separate connections; the pool keeps at most "
    "max_idle_per_origin") {
    FakeHttpServer server{echo};
    asio::io_context ioc;
    ClientSettings settings;
    settings.max_idle_per_origin = 2;
    HttpClient client{ioc.get_executor(), settings};

    constexpr int kConcurrent = 3;
    std::vector<Result<Response>> results;
    for (int i = 0; i < kConcurrent; ++i) {
        auto task = client.send(get(server.base_url() + "/c" + std::to_string(i)));
        asio::co_spawn(ioc, std::move(task), [&results](std::exception_ptr e, Result<Response> r) {
            if (e) std::rethrow_exception(e);
            results.push_back(std::move(r));
        });
    }
    ioc.run_for(10s);
    REQUIRE(results.size() == kConcurrent);
    for (auto const& r : results) CHECK(r.has_value());
    CHECK(server.connections_accepted() == kConcurrent);
    CHECK(client.idle_count() == 2);
}

TEST_CASE("http client: sends from strands on several threads share the pool safely") {
    auto const identity = tb::fakes::make_self_signed_identity();
    bool tls = false;
    SUBCASE("plain http") {}
    SUBCASE("https") { tls = true; }
    FakeHttpServer server{echo, tls ? std::optional{identity} : std::nullopt};
    asio::io_context ioc;
    ClientSettings settings;
    settings.extra_ca_pem = {identity.certificate_pem};
    settings.max_idle_per_origin = 8;
    HttpClient client{ioc.get_executor(), settings};
    constexpr int kWaves = 3;
    constexpr int kSendsPerWave = 16;
    std::atomic<int> ok{0};
    std::atomic<int> done{0};
    for (int wave = 0; wave < kWaves; ++wave) {
        for (int i = 0; i < kSendsPerWave; ++i) {
            auto task = client.send(get(server.base_url() + "/t" + std::to_string(i)));
            // Each on its own strand, as the service's jobs are; later waves reuse connections
            // that other strands opened.
            asio::co_spawn(asio::make_strand(ioc), std::move(task),
                           [&](std::exception_ptr e, Result<Response> r) {
                               if (!e && r && r->result() == http::status::ok) ++ok;
                               ++done;
                           });
        }
        ioc.restart();
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) threads.emplace_back([&ioc] { ioc.run_for(20s); });
        for (auto& t : threads) t.join();
        CHECK(client.idle_count() <= 8);
    }
    CHECK(done == kWaves * kSendsPerWave);
    CHECK(ok == kWaves * kSendsPerWave);
    CHECK(server.requests().size() == kWaves * kSendsPerWave);
    CHECK(server.connections_accepted() < kWaves * kSendsPerWave);  // later waves reused some
}

TEST_CASE(
    "http client: a peer that closed an idle connection costs one reconnect, not a "
    "failure") {
    OneShotServer server;
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};
    auto const url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x";

    auto first = fetch(ioc, client, get(url));
    REQUIRE(first.has_value());
    CHECK(client.idle_count() == 1);  // the response said keep-alive
    for (int i = 0; i < 200 && server.closed < 1; ++i) std::this_thread::sleep_for(5ms);
    REQUIRE(server.closed == 1);  // the pooled connection is now dead

    auto second = fetch(ioc, client, get(url));
    REQUIRE(second.has_value());
    CHECK(second->body() == "one shot");
    CHECK(server.connections == 2);
    CHECK(server.requests == 2);  // the dead connection never delivered the request
}

TEST_CASE("http client: a fresh connection closed without an answer is not retried") {
    FakeHttpServer server{echo};
    server.fail_next(Fault::close);
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};
    OutboundRequest post = get(server.base_url() + "/api/v2/tickets");
    post.method = http::verb::post;
    post.body = "{}";
    post.content_type = "application/json";

    auto const r = fetch(ioc, client, post);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::connection_closed);
    CHECK(server.requests().size() == 1);
}

TEST_CASE("http client: http:// is refused before connecting unless the host is loopback") {
    asio::io_context ioc;
    std::vector<int> observed;
    HttpClient client{ioc.get_executor(), ClientSettings{},
                      [&observed](OutboundRequest const&, int status, std::chrono::milliseconds) {
                          observed.push_back(status);
                      }};
    auto const started = SteadyClock::now();
    for (auto url : {"http://example.com/api", "http://10.1.2.3:8080/", "http://[2001:db8::1]/",
                     "ftp://127.0.0.1/"}) {
        CAPTURE(url);
        auto const r = fetch(ioc, client, get(url));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == errc::scheme_not_allowed);
    }
    for (auto url : {"not a url", "https://", "https://user:pw@127.0.0.1/", "/relative"}) {
        CAPTURE(url);
        auto const r = fetch(ioc, client, get(url));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == errc::bad_url);
    }
    CHECK(elapsed_since(started) < 500ms);  // no resolve, no connect attempt
    CHECK(observed == std::vector<int>(8, 0));
}

TEST_CASE("http client: http:// to localhost works, then a header with CR/LF is refused unsent") {
    FakeHttpServer server{echo};
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};
    auto const local = "http://localhost:" + std::to_string(server.port()) + "/ok";
    auto ok = fetch(ioc, client, get(local));
    REQUIRE(ok.has_value());
    CHECK(ok->result() == http::status::ok);

    auto injected = get(local);
    injected.headers = {{"X-Note", "a\r\nX-Admin: yes"}};
    auto const r = fetch(ioc, client, injected);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::protocol_error);
    CHECK(server.requests().size() == 1);
}

TEST_CASE(
    "http client: https to a self-signed server is rejected unless its certificate is "
    "trusted") {
    auto const identity = tb::fakes::make_self_signed_identity();
    FakeHttpServer server{echo, identity};
    asio::io_context ioc;

    HttpClient untrusting{ioc.get_executor(), ClientSettings{}};
    auto const rejected = fetch(ioc, untrusting, get(server.base_url() + "/secure"));
    REQUIRE_FALSE(rejected.has_value());
    CHECK(rejected.error() == errc::certificate_rejected);
    CHECK(server.requests().empty());

    ClientSettings settings;
    settings.extra_ca_pem = {identity.certificate_pem};
    HttpClient trusting{ioc.get_executor(), settings};
    auto const accepted = fetch(ioc, trusting, get(server.base_url() + "/secure"));
    REQUIRE(accepted.has_value());
    CHECK(accepted->body() == "GET /secure ");
    CHECK(fetch(ioc, trusting, get(server.base_url() + "/again")).has_value());
    CHECK(server.connections_accepted() == 2);  // one for each client: TLS reused too
}

TEST_CASE("http client: a trusted certificate for another host name is rejected") {
    auto const identity = identity_for_ip_only();  // names 127.0.0.1, not localhost
    FakeHttpServer server{echo, identity};
    asio::io_context ioc;
    ClientSettings settings;
    settings.extra_ca_pem = {identity.certificate_pem};
    HttpClient client{ioc.get_executor(), settings};
    auto const port = std::to_string(server.port());

    auto const by_ip = fetch(ioc, client, get("https://127.0.0.1:" + port + "/"));
    CHECK(by_ip.has_value());  // the same certificate is good for the name it carries
    auto const by_name = fetch(ioc, client, get("https://localhost:" + port + "/"));
    REQUIRE_FALSE(by_name.has_value());
    CHECK(by_name.error() == errc::certificate_rejected);
    CHECK(server.requests().size() == 1);
}

TEST_CASE(
    "http client: TLS to a plain-http server fails the handshake; a closed port fails "
    "to connect") {
    FakeHttpServer server{echo};
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};
    auto const tls = fetch(ioc, client, get("https://127.0.0.1:" + std::to_string(server.port())));
    REQUIRE_FALSE(tls.has_value());
    CHECK(tls.error() == errc::tls_handshake_failed);

    std::uint16_t closed_port = 0;
    {
        tcp::acceptor probe{ioc, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
        closed_port = probe.local_endpoint().port();
    }
    auto const refused = fetch(ioc, client, get("http://127.0.0.1:" + std::to_string(closed_port)));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error() == errc::connect_failed);
}

TEST_CASE("http client: a server that never answers times out promptly") {
    FakeHttpServer server{echo};
    server.fail_next(Fault::hang);
    asio::io_context ioc;
    HttpClient client{ioc.get_executor(), ClientSettings{}};
    auto request = get(server.base_url() + "/slow");
    request.timeout = 300ms;

    auto const started = SteadyClock::now();
    auto const r = fetch(ioc, client, request, 5s);
    auto const took = elapsed_since(started);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::timeout);
    CHECK(took >= 250ms);
    CHECK(took < 2s);
}

TEST_CASE("http client: a TLS handshake that never completes hits connect_timeout") {
    asio::io_context ioc;
    // Listens, so the kernel completes TCP connects, but nobody ever accepts or speaks TLS.
    tcp::acceptor silent{ioc, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    ClientSettings settings;
    settings.connect_timeout = 300ms;
    settings.request_timeout = 20s;
    HttpClient client{ioc.get_executor(), settings};

    auto const started = SteadyClock::now();
    auto const r =
        fetch(ioc, client,
              get("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port())), 10s);
    auto const took = elapsed_since(started);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::timeout);
    CHECK(took >= 250ms);
    CHECK(took < 3s);
}

TEST_CASE("http client: a response over max_response_bytes is refused") {
    constexpr std::size_t kLimit = 64 * 1024;
    FakeHttpServer server{[](tb::fakes::Request const& req) {
        Response res{http::status::ok, 11};
        res.body() = std::string(req.target() == "/big" ? kLimit + 1 : kLimit, 'x');
        return res;
    }};
    asio::io_context ioc;
    ClientSettings settings;
    settings.max_response_bytes = kLimit;
    HttpClient client{ioc.get_executor(), settings};

    auto const fits = fetch(ioc, client, get(server.base_url() + "/fits"));
    REQUIRE(fits.has_value());
    CHECK(fits->body().size() == kLimit);
    auto const big = fetch(ioc, client, get(server.base_url() + "/big"));
    REQUIRE_FALSE(big.has_value());
    CHECK(big.error() == errc::response_too_large);
}

TEST_CASE("http client: 429 and 500 are responses, with Retry-After, seen by the observer") {
    FakeHttpServer server{echo};
    server.fail_next(Fault::status_429, 1, 7s);
    asio::io_context ioc;
    std::vector<int> statuses;
    HttpClient client{
        ioc.get_executor(), ClientSettings{},
        [&statuses](OutboundRequest const& request, int status, std::chrono::milliseconds took) {
            CHECK(request.url.ends_with("/api/chat.postMessage"));
            CHECK(took < 10s);
            statuses.push_back(status);
        }};
    auto const limited = fetch(ioc, client, get(server.base_url() + "/api/chat.postMessage"));
    REQUIRE(limited.has_value());
    CHECK(limited->result() == http::status::too_many_requests);
    CHECK((*limited)[http::field::retry_after] == "7");

    server.fail_next(Fault::status_500);
    auto const failed = fetch(ioc, client, get(server.base_url() + "/api/chat.postMessage"));
    REQUIRE(failed.has_value());
    CHECK(failed->result() == http::status::internal_server_error);
    CHECK(statuses == std::vector<int>{429, 500});
}
