#pragma once

#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace tb::http {

// A client TLS context: TLS 1.2 or later, peer verification on, the system's trusted roots
// plus `extra_ca_pem` (each a PEM certificate, for private CAs and tests).
// Throws std::runtime_error when a PEM does not load: that is bad configuration, at startup.
boost::asio::ssl::context make_client_tls_context(std::vector<std::string> const& extra_ca_pem);

}  // namespace tb::http
