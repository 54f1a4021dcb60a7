#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "tests/fakes/fake_http_server.hpp"

namespace tb::fakes::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;

// A tiny blocking HTTP(S) client for tests: one connection, kept alive across send() calls,
// every step bounded by a timeout.
class TestClient {
public:
    explicit TestClient(std::uint16_t port, asio::ssl::context* tls = nullptr)
        : port_{port}, tls_{tls} {}

    // Throws boost::system::system_error on any failure (including timeouts).
    Response send(Request req, std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
        Response res;
        if (auto const ec = try_send(std::move(req), res, timeout)) {
            throw boost::system::system_error{ec};
        }
        return res;
    }

    boost::system::error_code try_send(Request req, Response& res,
                                       std::chrono::milliseconds timeout) {
        boost::system::error_code result;
        if (!connected_) {
            if ((result = connect(timeout))) return result;
        }
        req.version(11);
        req.set(http::field::host, "127.0.0.1");
        req.prepare_payload();
        lowest().expires_after(timeout);
        auto on_write = [&](boost::system::error_code ec, std::size_t) { result = ec; };
        tls_ ? http::async_write(*tls_stream_, req, on_write)
             : http::async_write(*tcp_stream_, req, on_write);
        run();
        if (result) return fail(result);
        res = {};
        lowest().expires_after(timeout);
        auto on_read = [&](boost::system::error_code ec, std::size_t) { result = ec; };
        tls_ ? http::async_read(*tls_stream_, buffer_, res, on_read)
             : http::async_read(*tcp_stream_, buffer_, res, on_read);
        run();
        if (result) return fail(result);
        if (!res.keep_alive()) close();
        return {};
    }

    void close() {
        if (tcp_stream_) tcp_stream_->close();
        if (tls_stream_) lowest().close();
        tcp_stream_.reset();
        tls_stream_.reset();
        buffer_.clear();
        connected_ = false;
    }

private:
    boost::system::error_code connect(std::chrono::milliseconds timeout) {
        boost::system::error_code result;
        asio::ip::tcp::endpoint const endpoint{asio::ip::make_address("127.0.0.1"), port_};
        if (tls_) {
            tls_stream_.emplace(ioc_, *tls_);
            tls_stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
        } else {
            tcp_stream_.emplace(ioc_);
        }
        lowest().expires_after(timeout);
        lowest().async_connect(endpoint, [&](boost::system::error_code ec) { result = ec; });
        run();
        if (result) return fail(result);
        if (tls_) {
            lowest().expires_after(timeout);
            tls_stream_->async_handshake(asio::ssl::stream_base::client,
                                         [&](boost::system::error_code ec) { result = ec; });
            run();
            if (result) return fail(result);
        }
        connected_ = true;
        return {};
    }

    beast::tcp_stream& lowest() {
        return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *tcp_stream_;
    }

    void run() {
        ioc_.restart();
        ioc_.run();
    }

    boost::system::error_code fail(boost::system::error_code ec) {
        close();
        return ec;
    }

    std::uint16_t port_;
    asio::ssl::context* tls_;
    asio::io_context ioc_;
    std::optional<beast::tcp_stream> tcp_stream_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
    beast::flat_buffer buffer_;
    bool connected_ = false;
};

inline Request make_request(http::verb verb, std::string target, std::string body = {},
                            std::string content_type = "application/json") {
    Request req{verb, target, 11};
    if (!body.empty()) {
        req.set(http::field::content_type, content_type);
        req.body() = std::move(body);
    }
    return req;
}

}  // namespace tb::fakes::testing
