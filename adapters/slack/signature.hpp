#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace tb::slack {

enum class Verdict { valid, missing, stale, forged };

char const* to_string(Verdict verdict) noexcept;

// Checks X-Slack-Signature ("v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>") and that
// X-Slack-Request-Timestamp is within `window` of `now_unix` (replays are stale).
Verdict verify_signature(std::string_view signing_secret, std::string_view timestamp,
                         std::string_view signature, std::string_view body,
                         std::int64_t now_unix,
                         std::chrono::seconds window = std::chrono::minutes{5});

}  // namespace tb::slack
