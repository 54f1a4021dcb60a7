#include "adapters/http/tls_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>

namespace tb::http {

namespace ssl = boost::asio::ssl;

ssl::context make_client_tls_context(std::vector<std::string> const& extra_ca_pem) {
    ssl::context context{ssl::context::tls_client};
    context.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
        throw std::runtime_error("TLS: cannot require TLS 1.2 or later");
    }
    boost::system::error_code ec;
    context.set_default_verify_paths(ec);
    if (ec) {
        // Not fatal: extra_ca_pem may be all that is needed (tests, private CAs).
        spdlog::warn("TLS: system trust store not loaded: {}", ec.message());
    }
    for (auto const& pem : extra_ca_pem) {
        context.add_certificate_authority(boost::asio::buffer(pem), ec);
        if (ec)
            throw std::runtime_error("TLS: extra CA certificate does not load: " + ec.message());
    }
    context.set_verify_mode(ssl::verify_peer);
    return context;
}

}  // namespace tb::http
