#include "adapters/http/crypto.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_CASE("hmac_sha256 matches RFC 4231 and stays right when keys change between calls") {
    // RFC 4231 test case 2, and the empty key and message.
    auto const jefe = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    auto const empty = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
    CHECK(tb::http::to_hex(tb::http::hmac_sha256("Jefe", "what do ya want for nothing?")) == jefe);
    CHECK(tb::http::to_hex(tb::http::hmac_sha256("", "")) == empty);
    CHECK(tb::http::to_hex(tb::http::hmac_sha256("Jefe", "what do ya ", "want for nothing?")) == jefe);

    // More keys than the per-thread cache holds, interleaved: each MAC is computed afresh
    // or from its own key's context, never from another key's.
    std::vector<std::string> keys;
    std::vector<std::string> first;
    for (int i = 0; i < 7; ++i) {
        keys.push_back("secret-" + std::to_string(i));
        first.push_back(tb::http::to_hex(tb::http::hmac_sha256(keys.back(), "body")));
    }
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < keys.size(); i += (round == 1 ? 2 : 1)) {
            CHECK(tb::http::to_hex(tb::http::hmac_sha256(keys[i], "bo", "dy")) == first[i]);
            CHECK(tb::http::to_hex(tb::http::hmac_sha256("Jefe", "what do ya want for nothing?")) == jefe);
        }
    }
    CHECK(first[0] != first[1]);
}
