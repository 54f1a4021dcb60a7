#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tb::zendesk {

enum class Verdict { valid, missing, stale, forged };

char const* to_string(Verdict verdict) noexcept;

// Parses Zendesk's "2021-03-25T05:09:27Z" (fractional seconds allowed) into Unix seconds.
std::optional<std::int64_t> parse_iso8601_utc(std::string_view text) noexcept;

// True when X-Zendesk-Webhook-Signature is base64(HMAC-SHA256(secret, timestamp + body)).
// The secret is used as shown by Zendesk, not base64-decoded.
bool signature_matches(std::string_view secret, std::string_view timestamp,
                       std::string_view signature, std::string_view body);

// The signature, and a timestamp no further than `window` from `now_unix`; Zendesk defines no
// replay window, so this is ours.
Verdict verify_webhook(std::string_view secret, std::string_view timestamp,
                       std::string_view signature, std::string_view body, std::int64_t now_unix,
                       std::chrono::seconds window = std::chrono::minutes{5});

}  // namespace tb::zendesk
