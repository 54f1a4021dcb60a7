#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tb::fakes {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
// A fake API is a request-to-response function; the server records what it got.
using Handler = std::function<Response(Request const&)>;

struct TlsIdentity {
    std::string certificate_pem;
    std::string private_key_pem;
};

enum class Fault {
    status_429,  // 429 with Retry-After
    status_500,
    hang,        // read the request, never answer (until the server stops)
    close,       // read the request, close the connection without an answer
};

// A real HTTP(S) server on 127.0.0.1, port 0, running on its own thread.
class FakeHttpServer {
public:
    explicit FakeHttpServer(Handler handler, std::optional<TlsIdentity> tls = std::nullopt);
    ~FakeHttpServer();
    FakeHttpServer(FakeHttpServer const&) = delete;
    FakeHttpServer& operator=(FakeHttpServer const&) = delete;

    std::uint16_t port() const;
    std::string base_url() const;  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT"

    std::vector<Request> requests() const;  // every request received, in order
    std::size_t connections_accepted() const;

    // The next `count` requests get `fault` instead of the handler's answer.
    void fail_next(Fault fault, int count = 1,
                   std::chrono::seconds retry_after = std::chrono::seconds{1});
    // Every request for `duration` from now gets `fault`.
    void fail_for(Fault fault, std::chrono::milliseconds duration,
                  std::chrono::seconds retry_after = std::chrono::seconds{1});

    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tb::fakes
