#include "adapters/http/url_policy.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

namespace tb::http {

bool is_loopback_host(std::string_view host) noexcept {
    if (host == "localhost") return true;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    auto const address = boost::asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

bool is_acceptable_api_base(std::string_view url, std::string& why) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        why = "not an absolute URL";
        return false;
    }
    auto const scheme = parsed->scheme();
    auto const host = parsed->encoded_host();
    if (host.empty()) {
        why = "has no host";
        return false;
    }
    if (scheme == "https") return true;
    if (scheme == "http") {
        if (is_loopback_host(host)) return true;
        why = "plain http:// is allowed only for loopback addresses; use https://";
        return false;
    }
    why = "scheme must be https";
    return false;
}

}  // namespace tb::http
