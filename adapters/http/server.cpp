#include "adapters/http/server.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace tb::http {
namespace {

using tcp = asio::ip::tcp;

char const* rejection_reason(error_code ec) {
    if (ec == bhttp::error::body_limit) return "body_too_large";
    if (ec == bhttp::error::header_limit) return "header_too_large";
    if (ec == beast::error::timeout) return "timeout";
    return "malformed";
}

bhttp::status rejection_status(error_code ec) {
    if (ec == bhttp::error::body_limit) return bhttp::status::payload_too_large;
    if (ec == bhttp::error::header_limit) return bhttp::status::request_header_fields_too_large;
    return bhttp::status::bad_request;
}

// Answers and closes, reading (a bounded amount of) what the client is still sending so the
// close does not reset the connection before the answer is read.
asio::awaitable<void> answer_and_close(beast::tcp_stream& stream, Response response) {
    response.keep_alive(false);
    stream.expires_after(std::chrono::seconds{5});
    co_await bhttp::async_write(stream, response, use_nothrow);
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink{};
    std::size_t drained = 0;
    stream.expires_after(std::chrono::seconds{1});
    while (drained < 4 * 1024 * 1024) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow);
        if (ec) break;
        drained += n;
    }
    stream.socket().close(ignored);
}

Response bare_response(bhttp::status status, std::string body) {
    Response response{status, 11};
    response.set(bhttp::field::server, "ticketbridge");
    response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::move(body);
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

}  // namespace

Server::Server(asio::io_context& io, tcp::endpoint endpoint, ServerLimits limits, Handler handler,
               Metrics& metrics, std::size_t io_threads)
    : io_{io}, acceptor_{asio::make_strand(io)}, limits_{limits}, handler_{std::move(handler)},
      metrics_{metrics}, io_threads_{io_threads} {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    metrics_.describe("tb_http_rejected_total", Metrics::Type::counter,
                      "Requests refused before routing, by reason.");
    metrics_.describe("tb_http_connections", Metrics::Type::gauge, "Open inbound connections.");
}

tcp::endpoint Server::local_endpoint() const { return acceptor_.local_endpoint(); }

// On one thread a strand only costs: its queue, and a shared count copied with every handler.
asio::any_io_executor Server::connection_executor() {
    if (io_threads_ > 1) return asio::make_strand(io_);
    return io_.get_executor();
}

void Server::count_rejection(char const* reason) {
    metrics_.inc("tb_http_rejected_total", {{"reason", reason}});
}

void Server::stop() {
    stopping_ = true;
    asio::post(acceptor_.get_executor(), [this] {
        error_code ignored;
        acceptor_.close(ignored);
    });
    std::lock_guard lock{mutex_};
    for (auto& connection : live_) {
        auto* target = &connection;
        asio::post(connection.stream->get_executor(), [this, target] {
            // Runs on the connection's executor; it may have ended meanwhile.
            std::lock_guard inner{mutex_};
            for (auto& c : live_) {
                if (&c == target && c.idle) c.stream->cancel();
            }
        });
    }
}

asio::awaitable<void> Server::run(std::chrono::milliseconds grace) {
    while (!stopping_) {
        auto [ec, socket] = co_await acceptor_.async_accept(connection_executor(), use_nothrow);
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) break;
            spdlog::warn("http: accept failed: {}", ec.message());
            continue;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto const executor = socket.get_executor();
        beast::tcp_stream stream{std::move(socket)};
        auto work = open_ >= limits_.max_connections ? refuse(std::move(stream))
                                                      : serve(std::move(stream));
        asio::co_spawn(executor, std::move(work), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& ex) {
                spdlog::error("http: connection ended by an exception: {}", ex.what());
            }
        });
    }
    asio::steady_timer timer{co_await asio::this_coro::executor};
    auto const deadline = std::chrono::steady_clock::now() + grace;
    while (open_ > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds{10});
        co_await timer.async_wait(use_nothrow);
    }
    if (open_ > 0) spdlog::warn("http: {} connection(s) still open after the grace period", open_.load());
}

asio::awaitable<void> Server::refuse(beast::tcp_stream stream) {
    count_rejection("too_many_connections");
    spdlog::warn("http: connection refused: {} connections open", open_.load());
    auto response = bare_response(bhttp::status::service_unavailable, "too many connections\n");
    response.set(bhttp::field::retry_after, "1");
    co_await answer_and_close(stream, std::move(response));
}

asio::awaitable<void> Server::serve(beast::tcp_stream stream) {
    ++open_;
    metrics_.set("tb_http_connections", {}, static_cast<double>(open_.load()));
    std::list<Connection>::iterator self;
    {
        std::lock_guard lock{mutex_};
        self = live_.insert(live_.end(), Connection{&stream, true});
    }
    struct Leave {
        Server& server;
        std::list<Connection>::iterator self;
        ~Leave() {
            {
                std::lock_guard lock{server.mutex_};
                server.live_.erase(self);
            }
            --server.open_;
            server.metrics_.set("tb_http_connections", {}, static_cast<double>(server.open_.load()));
        }
    } leave{*this, self};

    beast::flat_buffer buffer;
    for (;;) {
        if (buffer.size() == 0) {
            // Idle between requests: the only state in which stop() may cut the connection.
            {
                std::lock_guard lock{mutex_};
                self->idle = true;
            }
            if (stopping_) co_return;
            stream.expires_after(limits_.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_nothrow);
            buffer.commit(n);
            {
                std::lock_guard lock{mutex_};
                self->idle = false;
            }
            if (ec) co_return;  // peer closed, idle timeout or stop(): routine
        }

        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        parser.body_limit(limits_.max_body_bytes);
        stream.expires_after(limits_.read_timeout);
        auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, use_nothrow);
        if (!hec && parser.get()[bhttp::field::expect] == "100-continue" && !parser.is_done()) {
            bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
            co_await bhttp::async_write(stream, go_on, use_nothrow);
        }
        error_code ec = hec;
        if (!ec && !parser.is_done()) {
            auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
            ec = bec;
        }
        if (ec) {
            if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
                co_return;
            }
            char const* reason = rejection_reason(ec);
            count_rejection(reason);
            spdlog::warn("http: request refused ({}): {}", reason, ec.message());
            // The stream closed itself when its deadline passed: nothing can be answered.
            if (ec == beast::error::timeout) co_return;
            co_await answer_and_close(stream, bare_response(rejection_status(ec), std::string{reason} + "\n"));
            co_return;
        }

        auto request = parser.release();
        auto response = co_await handler_(std::move(request));
        if (stopping_) response.keep_alive(false);
        stream.expires_after(limits_.write_timeout);
        auto [wec, wn] = co_await bhttp::async_write(stream, response, use_nothrow);
        if (wec || !response.keep_alive()) {
            error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
    }
}

}  // namespace tb::http
