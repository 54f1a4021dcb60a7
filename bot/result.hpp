#pragma once

#include <string>
#include <system_error>
#include <type_traits>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace tb {

template <class T>
using Result = boost::system::result<T>;
using boost::system::error_code;

}  // namespace tb

namespace tb::bot {

enum class errc {
    store_unavailable = 1,  // the store could not be reached or refused the write
    not_found,
    invalid_input,
    conflict,
    shutting_down,
};

boost::system::error_category const& bot_category() noexcept;

inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), bot_category()};
}

}  // namespace tb::bot

template <>
struct boost::system::is_error_code_enum<tb::bot::errc> : std::true_type {};
