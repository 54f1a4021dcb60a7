#include "adapters/slack/signature.hpp"

#include <charconv>
#include <string>

#include "adapters/http/crypto.hpp"

namespace tb::slack {

char const* to_string(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::valid: return "valid";
        case Verdict::missing: return "missing";
        case Verdict::stale: return "stale";
        case Verdict::forged: return "forged";
    }
    return "unknown";
}

Verdict verify_signature(std::string_view signing_secret, std::string_view timestamp,
                         std::string_view signature, std::string_view body,
                         std::int64_t now_unix, std::chrono::seconds window) {
    if (timestamp.empty() || signature.empty()) return Verdict::missing;
    std::int64_t sent = 0;
    auto const [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sent);
    if (ec != std::errc{} || end != timestamp.data() + timestamp.size()) return Verdict::forged;
    auto const skew = now_unix > sent ? now_unix - sent : sent - now_unix;
    if (skew > window.count()) return Verdict::stale;

    std::string prefix = "v0:";
    prefix.append(timestamp).push_back(':');
    constexpr std::string_view kVersion = "v0=";
    if (!signature.starts_with(kVersion)) return Verdict::forged;
    auto const expected = http::hex_digits(http::hmac_sha256(signing_secret, prefix, body));
    return http::constant_time_equal({expected.data(), expected.size()}, signature.substr(kVersion.size()))
               ? Verdict::valid
               : Verdict::forged;
}

}  // namespace tb::slack
