#include "adapters/http/client_error.hpp"

#include <string>

namespace tb::http {
namespace {

// Boost's error_category has a protected, non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "tb.http"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::bad_url:
                return "bad URL";
            case errc::scheme_not_allowed:
                return "scheme not allowed for this host";
            case errc::connect_failed:
                return "connect failed";
            case errc::tls_handshake_failed:
                return "TLS handshake failed";
            case errc::certificate_rejected:
                return "server certificate rejected";
            case errc::timeout:
                return "timed out";
            case errc::response_too_large:
                return "response too large";
            case errc::protocol_error:
                return "HTTP protocol error";
            case errc::connection_closed:
                return "connection closed by peer";
        }
        return "unknown tb.http error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

boost::system::error_category const& client_category() noexcept {
    static Category const category;
    return category;
}

}  // namespace tb::http
