#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include "adapters/http/client_error.hpp"
#include "bot/result.hpp"

namespace tb::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;  // as in types.hpp

struct ClientSettings {
    std::chrono::milliseconds connect_timeout{5000};   // resolve + TCP + TLS handshake
    std::chrono::milliseconds request_timeout{30000};  // whole exchange, unless the request says
    std::size_t max_idle_per_origin = 16;
    std::chrono::seconds idle_lifetime{50};  // below the 60 s idle cut of common load balancers
    std::size_t max_response_bytes = std::size_t{16} * 1024 * 1024;  // body limit
    std::vector<std::string> extra_ca_pem;  // trusted besides the system roots (tests, private CA)
    std::string user_agent = "ticketbridge/" TB_VERSION;
};

struct OutboundRequest {
    bhttp::verb method = bhttp::verb::get;
    std::string url;  // absolute: https://host[:port]/path?query, or http:// on loopback only
    // Set in order after User-Agent (may replace it); Host and Content-Length are the client's.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string content_type;                          // sent when the body is not empty
    std::optional<std::chrono::milliseconds> timeout;  // replaces request_timeout for this one
};

using Response = bhttp::response<bhttp::string_body>;

// Told about every send when it ends: status 0 when there was no response. Called on the
// sending coroutine's thread; must be cheap and must not throw. Never log header values from it.
using RequestObserver = std::function<void(OutboundRequest const& request, int status_or_0,
                                           std::chrono::milliseconds took)>;

namespace detail {
struct PooledConnection;
}

// Outbound HTTP/1.1 over TLS (or plain http to loopback) for the Slack and Zendesk APIs.
// Keeps idle keep-alive connections per origin and reuses them; concurrent sends use separate
// connections. send() may be called from coroutines on any executors at once.
// Destroy the client only after every send() has finished (or its io_context is stopped for good).
class HttpClient {
public:
    // Throws std::runtime_error when an extra_ca_pem does not load (bad configuration).
    HttpClient(asio::any_io_executor executor, ClientSettings settings,
               RequestObserver observer = {});
    ~HttpClient();
    HttpClient(HttpClient const&) = delete;
    HttpClient& operator=(HttpClient const&) = delete;

    // Any HTTP status, 429 and 5xx too, is a Response; an error is a tb::http::errc transport
    // failure. Sent once, except when a reused idle connection turns out closed by the peer
    // (write fails, or EOF/reset before any response byte): then once more on a new connection.
    // Nothing else is retried. (A server that read the request and dropped the connection
    // without a byte of answer sees it twice in that case: rule 2's idempotency keys cover it.)
    asio::awaitable<Result<Response>> send(OutboundRequest request);

    // Closes every idle connection; connections in use finish their request first.
    void close_idle();
    // Idle connections kept for reuse, over all origins.
    std::size_t idle_count() const;

private:
    using Connection = std::unique_ptr<detail::PooledConnection>;

    asio::awaitable<Result<Response>> perform(OutboundRequest const& request);
    Connection new_connection(bool tls);
    Connection take_idle(std::string const& origin);
    void give_back(std::string const& origin, Connection connection);

    asio::any_io_executor executor_;
    ClientSettings settings_;
    RequestObserver observer_;
    asio::ssl::context tls_;
    mutable std::mutex mutex_;                             // guards idle_
    std::map<std::string, std::vector<Connection>> idle_;  // per origin, oldest first
};

}  // namespace tb::http
