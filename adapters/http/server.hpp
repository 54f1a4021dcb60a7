#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "adapters/http/metrics.hpp"
#include "adapters/http/types.hpp"

namespace tb::http {

struct ServerLimits {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 8 * 1024;
    std::chrono::milliseconds read_timeout{10'000};  // a started request must arrive in this
    std::chrono::milliseconds idle_timeout{60'000};  // a kept-alive connection may idle this
    std::chrono::milliseconds write_timeout{10'000};
    std::size_t max_connections = 1024;
};

// HTTP/1.1 server: one coroutine per connection, keep-alive, size limits, deadlines on every
// read and write, a cap on connections, and a graceful stop. `io_threads` is how many threads
// run `io`: with more than one, each connection gets a strand of its own.
class Server {
public:
    Server(asio::io_context& io, asio::ip::tcp::endpoint endpoint, ServerLimits limits,
           Handler handler, Metrics& metrics, std::size_t io_threads);

    asio::ip::tcp::endpoint local_endpoint() const;

    // Accepts until stop(); then waits up to `grace` for requests in flight to be answered.
    asio::awaitable<void> run(std::chrono::milliseconds grace);
    // Thread-safe: stop accepting; idle connections close now, busy ones after their answer.
    void stop();

    std::size_t connections() const noexcept { return open_.load(); }

private:
    struct Connection {
        beast::tcp_stream* stream = nullptr;
        bool idle = true;  // touched only on the connection's executor
    };

    asio::awaitable<void> serve(beast::tcp_stream stream);
    asio::awaitable<void> refuse(beast::tcp_stream stream);
    void count_rejection(char const* reason);
    asio::any_io_executor connection_executor();

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    ServerLimits limits_;
    Handler handler_;
    Metrics& metrics_;
    std::size_t io_threads_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> open_{0};
    std::mutex mutex_;
    std::list<Connection> live_;
};

}  // namespace tb::http
