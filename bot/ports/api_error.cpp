#include "bot/ports/api_error.hpp"

namespace tb::bot {

char const* to_string(ApiError::Kind kind) noexcept {
    switch (kind) {
        case ApiError::Kind::unavailable: return "unavailable";
        case ApiError::Kind::rate_limited: return "rate_limited";
        case ApiError::Kind::rejected: return "rejected";
        case ApiError::Kind::not_found: return "not_found";
        case ApiError::Kind::closed: return "closed";
    }
    return "unknown";
}

void throw_exception_from_error(ApiError const& error, boost::source_location const&) {
    throw std::runtime_error{std::string{to_string(error.kind)} + ": " + error.message};
}

}  // namespace tb::bot
