#pragma once

#include <type_traits>

#include <boost/system/error_code.hpp>

#include "bot/result.hpp"

namespace tb::http {

// Transport failures of the outbound client. Any HTTP status, 4xx and 5xx included, is a
// response, not one of these.
enum class errc {
    bad_url = 1,           // not an absolute http(s) URL with a host, or carries user:password@
    scheme_not_allowed,    // not https, or http to a host that is not loopback; nothing was sent
    connect_failed,        // name not resolved, or no address accepted the TCP connection
    tls_handshake_failed,  // TLS failed for a reason other than the peer's certificate
    certificate_rejected,  // the peer's certificate did not verify (chain or host name)
    timeout,               // connect_timeout or the request's deadline passed
    response_too_large,    // body over max_response_bytes, or headers over the header limit
    protocol_error,        // the response was not valid HTTP/1.1, or the request had a bad header
    connection_closed,     // the peer closed or reset the connection before a whole response
};

boost::system::error_category const& client_category() noexcept;

inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

}  // namespace tb::http

template <>
struct boost::system::is_error_code_enum<tb::http::errc> : std::true_type {};
