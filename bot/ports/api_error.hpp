#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace tb::bot {

// Why a call to Slack or Zendesk did not succeed, in the terms a flow decides on.
struct ApiError {
    enum class Kind {
        unavailable,   // no answer, 5xx, timeout: try again later
        rate_limited,  // 429: try again after retry_after
        rejected,      // the API refused the request as it is (4xx, ok:false); retrying will not help
        not_found,     // what the request names does not exist
        closed,        // Zendesk: the ticket is closed and takes no more changes
    };
    Kind kind = Kind::unavailable;
    std::string message;  // the API's error code or description; never a secret
    std::optional<std::chrono::milliseconds> retry_after;
    // No usable answer came: not reached, timed out, or the service said it is failing (5xx,
    // Slack's transient codes). Unlike a conflict or a local failure, a sign of an outage.
    bool unanswered = false;

    bool transient() const noexcept { return kind == Kind::unavailable || kind == Kind::rate_limited; }
};

char const* to_string(ApiError::Kind kind) noexcept;

// boost::system::result calls this when value() is taken from an error.
[[noreturn]] void throw_exception_from_error(ApiError const& error, boost::source_location const& loc);

template <class T>
using ApiResult = boost::system::result<T, ApiError>;

inline ApiError api_error(ApiError::Kind kind, std::string message,
                          std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
    return ApiError{kind, std::move(message), retry_after, false};
}

// Kind::unavailable, because the service gave no usable answer (see ApiError::unanswered).
inline ApiError no_answer(std::string message) {
    return ApiError{ApiError::Kind::unavailable, std::move(message), std::nullopt, true};
}

}  // namespace tb::bot
