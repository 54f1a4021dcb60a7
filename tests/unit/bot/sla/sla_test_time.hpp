#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <date/date.h>
#include <doctest/doctest.h>

#include "bot/clock.hpp"

namespace tb::test {

// "2026-03-27T15:00:00Z"; whole seconds are enough for SLA tests.
inline bot::Instant utc(std::string_view text) {
    auto const number = [&](std::size_t at, std::size_t length) {
        int value = 0;
        auto const [end, ec] = std::from_chars(text.data() + at, text.data() + at + length, value);
        if (ec != std::errc{} || end != text.data() + at + length) {
            throw std::invalid_argument("not an instant: " + std::string{text});
        }
        return value;
    };
    if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z') {
        throw std::invalid_argument("not an instant: " + std::string{text});
    }
    std::chrono::year_month_day const day{std::chrono::year{number(0, 4)},
                                          std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                          std::chrono::day{static_cast<unsigned>(number(8, 2))}};
    return bot::Instant{std::chrono::sys_days{day}} + std::chrono::hours{number(11, 2)} +
           std::chrono::minutes{number(14, 2)} + std::chrono::seconds{number(17, 2)};
}

}  // namespace tb::test

namespace doctest {

template <>
struct StringMaker<tb::bot::Instant> {
    static String convert(tb::bot::Instant const& at) { return date::format("%FT%TZ", at).c_str(); }
};

template <>
struct StringMaker<std::optional<tb::bot::Instant>> {
    static String convert(std::optional<tb::bot::Instant> const& at) {
        return at ? StringMaker<tb::bot::Instant>::convert(*at) : String{"nothing"};
    }
};

}  // namespace doctest
