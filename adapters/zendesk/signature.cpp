#include "adapters/zendesk/signature.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "adapters/http/crypto.hpp"

namespace tb::zendesk {

char const* to_string(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::valid: return "valid";
        case Verdict::missing: return "missing";
        case Verdict::stale: return "stale";
        case Verdict::forged: return "forged";
    }
    return "unknown";
}

std::optional<std::int64_t> parse_iso8601_utc(std::string_view text) noexcept {
    if (text.size() < 20 || text.size() > 40 || text.back() != 'Z') return std::nullopt;
    std::string const copy{text};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6) {
        return std::nullopt;
    }
    auto const rest = text.substr(static_cast<std::size_t>(used));
    if (rest != "Z" && !(rest.size() >= 3 && rest.front() == '.')) return std::nullopt;
    using namespace std::chrono;
    year_month_day const date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
    auto const tp = sys_days{date} + hours{h} + minutes{mi} + seconds{s};
    return tp.time_since_epoch().count();
}

bool signature_matches(std::string_view secret, std::string_view timestamp,
                       std::string_view signature, std::string_view body) {
    auto const digest = http::hmac_sha256(secret, timestamp, body);
    auto const expected = http::to_base64(
        std::string_view{reinterpret_cast<char const*>(digest.data()), digest.size()});
    return http::constant_time_equal(expected, signature);
}

Verdict verify_webhook(std::string_view secret, std::string_view timestamp,
                       std::string_view signature, std::string_view body, std::int64_t now_unix,
                       std::chrono::seconds window) {
    if (timestamp.empty() || signature.empty()) return Verdict::missing;
    if (!signature_matches(secret, timestamp, signature, body)) return Verdict::forged;
    auto const sent = parse_iso8601_utc(timestamp);
    if (!sent) return Verdict::stale;
    auto const skew = now_unix > *sent ? now_unix - *sent : *sent - now_unix;
    return skew > window.count() ? Verdict::stale : Verdict::valid;
}

}  // namespace tb::zendesk
