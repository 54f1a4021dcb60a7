#pragma once

#include <array>
#include <string>
#include <string_view>

namespace tb::http {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest hmac_sha256(std::string_view key, std::string_view message);
Sha256Digest hmac_sha256(std::string_view key, std::string_view part1, std::string_view part2);
std::string to_hex(Sha256Digest const& digest);
// The same digits without an allocation, for checks made on every request.
std::array<char, 64> hex_digits(Sha256Digest const& digest);
std::string to_base64(std::string_view bytes);
// Equal-length comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace tb::http
