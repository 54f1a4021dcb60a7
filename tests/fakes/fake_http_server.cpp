#include "tests/fakes/fake_http_server.hpp"

#include <exception>
#include <future>
#include <list>
#include <mutex>
#include <thread>
#include <type_traits>

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace tb::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxBodyBytes = 64 * 1024 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds{10};
constexpr auto kStopTimeout = std::chrono::seconds{2};

// Zendesk paths start with /api/v2/; everything else is treated as Slack, whose clients expect
// {"ok":false,...} bodies.
bool looks_like_zendesk(Request const& req) { return req.target().starts_with("/api/v2/"); }

Response fault_response(Fault fault, Request const& req, std::chrono::seconds retry_after) {
    Response res;
    res.set(http::field::content_type, "application/json; charset=utf-8");
    if (fault == Fault::status_429) {
        res.result(http::status::too_many_requests);
        res.set(http::field::retry_after, std::to_string(retry_after.count()));
        res.body() = looks_like_zendesk(req)
                         ? R"({"error":"APIRateLimitExceeded",)"
                           R"("description":"Number of allowed API requests per minute exceeded"})"
                         : R"({"ok":false,"error":"ratelimited"})";
    } else {
        res.result(http::status::internal_server_error);
        res.body() = looks_like_zendesk(req) ? R"({"status":500,"error":"Internal Server Error"})"
                                             : R"({"ok":false,"error":"internal_error"})";
    }
    return res;
}

}  // namespace

struct FakeHttpServer::Impl {
    Handler handler;
    std::optional<ssl::context> ssl_ctx;

    mutable std::mutex mutex;  // guards the fields below up to `closers`
    std::vector<Request> requests;
    std::size_t connections = 0;
    std::optional<Fault> next_fault;
    int next_count = 0;
    std::chrono::seconds next_retry_after{1};
    std::optional<Fault> window_fault;
    std::chrono::steady_clock::time_point window_end;
    std::chrono::seconds window_retry_after{1};

    // Only touched on the server thread: how to close each live connection at stop().
    std::list<std::function<void()>> closers;
    bool stopped = false;  // guarded by `mutex`

    // Declared last so it is destroyed first: suspended sessions still refer to the members above.
    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::uint16_t port = 0;
    std::thread thread;

    Impl(Handler h, std::optional<TlsIdentity> const& tls) : handler(std::move(h)) {
        if (tls) {
            ssl_ctx.emplace(ssl::context::tls_server);
            ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                 ssl::context::no_tlsv1_1);
            ssl_ctx->use_certificate_chain(asio::buffer(tls->certificate_pem));
            ssl_ctx->use_private_key(asio::buffer(tls->private_key_pem), ssl::context::pem);
        }
        tcp::endpoint const endpoint{asio::ip::make_address("127.0.0.1"), 0};
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
        asio::co_spawn(ioc, accept_loop(), asio::detached);
        thread = std::thread{[this] { ioc.run(); }};
    }

    std::optional<std::pair<Fault, std::chrono::seconds>> take_fault() {
        std::lock_guard lock{mutex};
        if (next_fault && next_count > 0) {
            auto const fault = *next_fault;
            if (--next_count == 0) next_fault.reset();
            return std::pair{fault, next_retry_after};
        }
        if (window_fault && std::chrono::steady_clock::now() < window_end) {
            return std::pair{*window_fault, window_retry_after};
        }
        return std::nullopt;
    }

    Response answer(Request const& req) {
        try {
            return handler(req);
        } catch (std::exception const& e) {
            spdlog::error("fake http server: handler threw: {}", e.what());
            Response res{http::status::internal_server_error, req.version()};
            res.set(http::field::content_type, "text/plain");
            res.body() = std::string{"handler threw: "} + e.what();
            return res;
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            {
                std::lock_guard lock{mutex};
                ++connections;
            }
            if (ssl_ctx) {
                beast::ssl_stream<beast::tcp_stream> stream{beast::tcp_stream{std::move(socket)},
                                                            *ssl_ctx};
                asio::co_spawn(ioc, serve(std::move(stream)), asio::detached);
            } else {
                asio::co_spawn(ioc, serve(beast::tcp_stream{std::move(socket)}), asio::detached);
            }
        }
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream stream) {
        auto& socket = beast::get_lowest_layer(stream).socket();
        asio::steady_timer hang_timer{ioc};
        auto const closer = closers.insert(closers.end(), [&socket, &hang_timer] {
            boost::system::error_code ignored;
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
            hang_timer.cancel();
        });
        struct Unregister {
            std::list<std::function<void()>>& list;
            std::list<std::function<void()>>::iterator it;
            ~Unregister() { list.erase(it); }
        } const unregister{closers, closer};

        constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;
        if constexpr (is_tls) {
            beast::get_lowest_layer(stream).expires_after(kHandshakeTimeout);
            auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
            if (ec) co_return;
            beast::get_lowest_layer(stream).expires_never();
        }

        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(kMaxBodyBytes);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
            if (ec) co_return;
            Request req = parser.release();
            {
                std::lock_guard lock{mutex};
                requests.push_back(req);
            }

            Response res;
            if (auto const fault = take_fault()) {
                if (fault->first == Fault::hang) {
                    hang_timer.expires_at(asio::steady_timer::time_point::max());
                    co_await hang_timer.async_wait(use_nothrow);
                    co_return;
                }
                if (fault->first == Fault::close) co_return;  // the socket closes with the frame
                res = fault_response(fault->first, req, fault->second);
            } else {
                res = answer(req);
            }
            res.version(req.version());
            res.keep_alive(req.keep_alive() && res.keep_alive());
            try {
                res.prepare_payload();
            } catch (std::exception const&) {
                // A body on a status that forbids one (204, 304): drop the body, not the answer.
                res.body().clear();
                res.prepare_payload();
            }
            auto [wec, wn] = co_await http::async_write(stream, res, use_nothrow);
            if (wec || !res.keep_alive()) {
                boost::system::error_code ignored;
                socket.shutdown(tcp::socket::shutdown_send, ignored);
                co_return;
            }
        }
    }

    void stop() {
        {
            std::lock_guard lock{mutex};
            if (stopped) return;
            stopped = true;
        }
        std::promise<void> closed;
        auto done = closed.get_future();
        asio::post(ioc, [this, &closed] {
            boost::system::error_code ignored;
            acceptor.close(ignored);
            for (auto& close : closers) close();
            closed.set_value();
        });
        done.wait_for(kStopTimeout);  // a handler may be stuck; stop regardless
        ioc.stop();
        if (thread.joinable()) thread.join();
    }
};

FakeHttpServer::FakeHttpServer(Handler handler, std::optional<TlsIdentity> tls)
    : impl_{std::make_unique<Impl>(std::move(handler), tls)} {}

FakeHttpServer::~FakeHttpServer() { impl_->stop(); }

std::uint16_t FakeHttpServer::port() const { return impl_->port; }

std::string FakeHttpServer::base_url() const {
    return std::string{impl_->ssl_ctx ? "https" : "http"} +
           "://127.0.0.1:" + std::to_string(port());
}

std::vector<Request> FakeHttpServer::requests() const {
    std::lock_guard lock{impl_->mutex};
    return impl_->requests;
}

std::size_t FakeHttpServer::connections_accepted() const {
    std::lock_guard lock{impl_->mutex};
    return impl_->connections;
}

void FakeHttpServer::fail_next(Fault fault, int count, std::chrono::seconds retry_after) {
    std::lock_guard lock{impl_->mutex};
    impl_->next_fault = fault;
    impl_->next_count = count;
    impl_->next_retry_after = retry_after;
    if (count <= 0) impl_->next_fault.reset();
}

void FakeHttpServer::fail_for(Fault fault, std::chrono::milliseconds duration,
                              std::chrono::seconds retry_after) {
    std::lock_guard lock{impl_->mutex};
    impl_->window_fault = fault;
    impl_->window_end = std::chrono::steady_clock::now() + duration;
    impl_->window_retry_after = retry_after;
}

void FakeHttpServer::stop() { impl_->stop(); }

}  // namespace tb::fakes
