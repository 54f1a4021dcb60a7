#include "adapters/http/client.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include "adapters/http/tls_context.hpp"
#include "adapters/http/url_policy.hpp"

namespace tb::http {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using Request = bhttp::request<bhttp::string_body>;

namespace detail {

// One keep-alive connection. All its I/O runs on its own strand, whichever coroutine sends on
// it, so Beast's timeout handlers never race the operations they time (see HttpClient::perform).
struct PooledConnection {
    PooledConnection(asio::strand<asio::any_io_executor> s, bool use_tls, ssl::context& context)
        : strand{std::move(s)} {
        if (use_tls) {
            tls.emplace(strand, context);
        } else {
            plain.emplace(strand);
        }
    }

    beast::tcp_stream& lowest_layer() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    asio::strand<asio::any_io_executor> strand;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool connected = false;
    SteadyClock::time_point idle_since{};
};

}  // namespace detail

namespace {

inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

// What the URL says about where and what to send.
struct Target {
    bool tls = true;
    std::string host;         // for resolve, SNI and certificate check: no brackets
    std::string port;         // decimal
    std::string host_header;  // host[:port], IPv6 in brackets
    std::string resource;     // path?query
    std::string origin;       // pool key: scheme://host:port
};

// How one attempt on one connection ended.
struct Exchange {
    error_code ec;
    bool stale = false;     // failed before any response byte: the peer had closed it
    bool reusable = false;  // complete response with keep-alive and nothing left over
    Response response;
};

Result<Target> parse_target(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->has_userinfo()) return errc::bad_url;
    auto const& u = *parsed;
    Target target;
    auto const scheme = u.scheme_id();
    if (scheme != boost::urls::scheme::https && scheme != boost::urls::scheme::http) {
        return errc::scheme_not_allowed;
    }
    target.tls = scheme == boost::urls::scheme::https;
    switch (u.host_type()) {
        case boost::urls::host_type::ipv4:
        case boost::urls::host_type::ipv6:
            target.host = std::string{u.encoded_host_address()};
            break;
        case boost::urls::host_type::name: {
            auto const name = u.encoded_host();
            if (name.empty() || name.find('%') != name.npos) return errc::bad_url;
            target.host = std::string{name};
            std::transform(target.host.begin(), target.host.end(), target.host.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            break;
        }
        default:
            return errc::bad_url;
    }
    if (!target.tls && !is_loopback_host(target.host)) return errc::scheme_not_allowed;

    std::uint16_t port = target.tls ? 443 : 80;
    if (u.has_port()) {
        if (u.port_number() == 0) return errc::bad_url;
        port = u.port_number();
    }
    target.port = std::to_string(port);
    auto const bracketed =
        u.host_type() == boost::urls::host_type::ipv6 ? "[" + target.host + "]" : target.host;
    target.host_header = bracketed;
    if (port != (target.tls ? 443 : 80)) target.host_header += ":" + target.port;
    target.origin = (target.tls ? "https://" : "http://") + bracketed + ":" + target.port;
    target.resource = u.encoded_path().empty() ? "/" : std::string{u.encoded_path()};
    if (u.has_query()) target.resource += "?" + std::string{u.encoded_query()};
    return target;
}

bool is_token(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view{"!#$%&'*+-.^_`|~"}.find(static_cast<char>(c)) !=
                                      std::string_view::npos;
    });
}

Result<Request> build_message(OutboundRequest const& request, Target const& target,
                              std::string const& user_agent) {
    if (request.method == bhttp::verb::unknown) return errc::protocol_error;
    Request message{request.method, target.resource, 11};
    message.set(bhttp::field::user_agent, user_agent);
    for (auto const& [name, value] : request.headers) {
        // A CR or LF would let a value smuggle in headers of its own.
        if (!is_token(name) || value.find_first_of("\r\n", 0) != std::string::npos ||
            value.find('\0') != std::string::npos) {
            return errc::protocol_error;
        }
        message.set(name, value);
    }
    message.set(bhttp::field::host, target.host_header);
    if (!request.body.empty() && !request.content_type.empty()) {
        message.set(bhttp::field::content_type, request.content_type);
    }
    message.body() = request.body;
    message.prepare_payload();
    return message;
}

error_code read_error(error_code ec) {
    if (ec == beast::error::timeout) return errc::timeout;
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
        ec == bhttp::error::buffer_overflow) {
        return errc::response_too_large;
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
        return errc::connection_closed;
    }
    if (ec.category() == make_error_code(bhttp::error::bad_version).category()) {
        return errc::protocol_error;
    }
    return errc::connection_closed;  // reset, broken pipe, TLS truncation...
}

error_code handshake_error(error_code ec, SSL* ssl) {
    if (ec == beast::error::timeout) return errc::timeout;
    if (ec.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        return errc::certificate_rejected;
    }
    if (SSL_get_verify_result(ssl) != X509_V_OK) return errc::certificate_rejected;
    return errc::tls_handshake_failed;
}

bool is_ip_literal(std::string const& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// The resolver has no deadline of its own: a timer cancels it.
asio::awaitable<Result<tcp::resolver::results_type>> resolve(
    asio::strand<asio::any_io_executor> strand, Target const& target,
    SteadyClock::time_point deadline) {
    auto resolver = std::make_shared<tcp::resolver>(strand);
    asio::steady_timer guard{strand};
    guard.expires_at(deadline);
    auto on_expiry = [resolver](error_code ec) {
        if (!ec) resolver->cancel();
    };
    guard.async_wait(on_expiry);
    auto const flags =
        is_ip_literal(target.host) ? tcp::resolver::numeric_host : tcp::resolver::flags{};
    auto [ec, results] = co_await resolver->async_resolve(
        target.host, target.port, flags | tcp::resolver::numeric_service, use_nothrow);
    guard.cancel();
    if (ec == asio::error::operation_aborted && SteadyClock::now() >= deadline) {
        co_return errc::timeout;
    }
    if (ec || results.empty()) co_return errc::connect_failed;
    co_return results;
}

asio::awaitable<error_code> connect(detail::PooledConnection& connection, Target const& target,
                                    SteadyClock::time_point deadline) {
    auto endpoints = co_await resolve(connection.strand, target, deadline);
    if (!endpoints) co_return endpoints.error();
    auto& tcp_stream = connection.lowest_layer();
    tcp_stream.expires_at(deadline);
    auto [ec, endpoint] = co_await tcp_stream.async_connect(*endpoints, use_nothrow);
    if (ec) co_return ec == beast::error::timeout ? errc::timeout : errc::connect_failed;
    if (connection.tls) {
        auto& tls = *connection.tls;
        // SNI carries names only (RFC 6066); the macro form has a C cast, hence SSL_ctrl.
        if (!is_ip_literal(target.host) &&
            SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(target.host.c_str())) != 1) {
            co_return errc::tls_handshake_failed;
        }
        tls.set_verify_mode(ssl::verify_peer);
        tls.set_verify_callback(ssl::host_name_verification(target.host));
        auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, use_nothrow);
        if (hec) co_return handshake_error(hec, tls.native_handle());
    }
    tcp_stream.expires_never();
    co_return error_code{};
}

template <class Stream>
asio::awaitable<Exchange> exchange_over(Stream& stream, beast::flat_buffer& buffer,
                                        Request const& message, SteadyClock::time_point deadline,
                                        std::size_t max_response_bytes) {
    Exchange exchange;
    auto& tcp_stream = beast::get_lowest_layer(stream);
    tcp_stream.expires_at(deadline);
    auto [wec, written] = co_await bhttp::async_write(stream, message, use_nothrow);
    if (wec) {
        exchange.ec = wec == beast::error::timeout ? make_error_code(errc::timeout)
                                                   : make_error_code(errc::connection_closed);
        exchange.stale = wec != beast::error::timeout;
        co_return exchange;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response_bytes);
    parser.header_limit(kHeaderLimit);
    if (message.method() == bhttp::verb::head) parser.skip(true);
    auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
    tcp_stream.expires_never();
    if (rec) {
        exchange.ec = read_error(rec);
        exchange.stale =
            exchange.ec == errc::connection_closed && !parser.got_some() && buffer.size() == 0;
        co_return exchange;
    }
    exchange.reusable = parser.keep_alive() && buffer.size() == 0;
    exchange.response = parser.release();
    co_return exchange;
}

asio::awaitable<Exchange> exchange_on(detail::PooledConnection& connection, Target const& target,
                                      Request const& message, SteadyClock::time_point deadline,
                                      SteadyClock::time_point connect_deadline,
                                      std::size_t max_response_bytes) {
    if (!connection.connected) {
        auto ec = co_await connect(connection, target, connect_deadline);
        if (ec) {
            Exchange failed;
            failed.ec = ec;
            co_return failed;
        }
        connection.connected = true;
    }
    if (connection.tls) {
        co_return co_await exchange_over(*connection.tls, connection.buffer, message, deadline,
                                         max_response_bytes);
    }
    co_return co_await exchange_over(*connection.plain, connection.buffer, message, deadline,
                                     max_response_bytes);
}

std::string_view to_std(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, ClientSettings settings,
                       RequestObserver observer)
    : executor_{std::move(executor)},
      settings_{std::move(settings)},
      observer_{std::move(observer)},
      tls_{make_client_tls_context(settings_.extra_ca_pem)} {}

HttpClient::~HttpClient() { close_idle(); }

asio::awaitable<Result<Response>> HttpClient::send(OutboundRequest request) {
    auto const started = SteadyClock::now();
    auto result = co_await perform(request);
    if (observer_) {
        auto const took =
            std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
        observer_(request, result ? result->result_int() : 0, took);
    }
    co_return result;
}

asio::awaitable<Result<Response>> HttpClient::perform(OutboundRequest const& request) {
    auto const started = SteadyClock::now();
    auto target = parse_target(request.url);
    if (!target) co_return target.error();
    auto message = build_message(request, *target, settings_.user_agent);
    if (!message) co_return message.error();
    // Method, host and path only: queries and headers may carry secrets. Slack's response_url
    // paths are credentials themselves (anyone holding one may post for 30 minutes).
    auto const path = std::string_view{target->resource}.substr(0, target->resource.find('?'));
    bool const secret_path = path.starts_with("/commands/") || path.starts_with("/actions/");
    spdlog::debug("http client: {} {}{}", to_std(bhttp::to_string(request.method)), target->host,
                  secret_path ? std::string_view{"/…"} : path);

    auto const deadline = started + request.timeout.value_or(settings_.request_timeout);
    auto const connect_deadline = std::min(deadline, started + settings_.connect_timeout);

    auto connection = take_idle(target->origin);
    bool const reused = connection != nullptr;
    if (!reused) connection = new_connection(target->tls);
    // The exchange runs on the connection's strand (see PooledConnection).
    auto attempt = exchange_on(*connection, *target, *message, deadline, connect_deadline,
                               settings_.max_response_bytes);
    auto exchange =
        co_await asio::co_spawn(connection->strand, std::move(attempt), asio::use_awaitable);
    if (exchange.ec && reused && exchange.stale) {
        // The peer had closed the idle connection and answered nothing: send once more, fresh.
        spdlog::debug("http client: idle connection to {} was closed, reconnecting", target->host);
        connection = new_connection(target->tls);
        auto const retry_connect_deadline =
            std::min(deadline, SteadyClock::now() + settings_.connect_timeout);
        auto retry = exchange_on(*connection, *target, *message, deadline, retry_connect_deadline,
                                 settings_.max_response_bytes);
        exchange =
            co_await asio::co_spawn(connection->strand, std::move(retry), asio::use_awaitable);
    }
    if (exchange.ec) co_return exchange.ec;
    if (exchange.reusable) give_back(target->origin, std::move(connection));
    co_return std::move(exchange.response);
}

HttpClient::Connection HttpClient::new_connection(bool tls) {
    return std::make_unique<detail::PooledConnection>(asio::make_strand(executor_), tls, tls_);
}

HttpClient::Connection HttpClient::take_idle(std::string const& origin) {
    std::vector<Connection> expired;  // closed after the lock is released
    Connection found;
    {
        std::lock_guard lock{mutex_};
        auto it = idle_.find(origin);
        if (it == idle_.end()) return nullptr;
        auto& list = it->second;
        auto const now = SteadyClock::now();
        // Newest last: if it has idled too long, so have all the others.
        if (!list.empty() && now - list.back()->idle_since < settings_.idle_lifetime) {
            found = std::move(list.back());
            list.pop_back();
        } else {
            expired = std::move(list);
            list.clear();
        }
        if (list.empty()) idle_.erase(it);
    }
    return found;
}

void HttpClient::give_back(std::string const& origin, Connection connection) {
    if (settings_.max_idle_per_origin == 0) return;
    std::vector<Connection> dropped;  // closed after the lock is released
    auto const now = SteadyClock::now();
    connection->idle_since = now;
    {
        std::lock_guard lock{mutex_};
        auto& list = idle_[origin];
        // Drop what idled too long, then the oldest beyond max - 1, so that this one fits.
        auto const first_alive = std::find_if(list.begin(), list.end(), [&](Connection const& c) {
            return now - c->idle_since < settings_.idle_lifetime;
        });
        auto const alive = static_cast<std::size_t>(list.end() - first_alive);
        auto const keep = std::min(alive, settings_.max_idle_per_origin - 1);
        auto const cut = list.end() - static_cast<std::ptrdiff_t>(keep);
        std::move(list.begin(), cut, std::back_inserter(dropped));
        list.erase(list.begin(), cut);
        list.push_back(std::move(connection));
    }
}

void HttpClient::close_idle() {
    std::map<std::string, std::vector<Connection>> closing;
    {
        std::lock_guard lock{mutex_};
        closing.swap(idle_);
    }
}

std::size_t HttpClient::idle_count() const {
    std::lock_guard lock{mutex_};
    std::size_t count = 0;
    for (auto const& [origin, list] : idle_) count += list.size();
    return count;
}

}  // namespace tb::http
