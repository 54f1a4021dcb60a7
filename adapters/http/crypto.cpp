#include "adapters/http/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace tb::http {
namespace {

// One prepared MAC per thread: making a context per call costs more than the MAC itself.
struct ThreadMac {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    ~ThreadMac() { EVP_MAC_free(mac); }
};

Sha256Digest mac_parts(std::string_view key, std::initializer_list<std::string_view> parts) {
    thread_local ThreadMac prepared;
    Sha256Digest out{};
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(prepared.mac);
    if (ctx == nullptr) throw std::runtime_error("EVP_MAC_CTX_new failed");
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0),
                           OSSL_PARAM_construct_end()};
    std::size_t len = 0;
    bool ok = EVP_MAC_init(ctx, reinterpret_cast<unsigned char const*>(key.data()), key.size(),
                           params) == 1;
    for (auto part : parts) {
        ok = ok && EVP_MAC_update(ctx, reinterpret_cast<unsigned char const*>(part.data()),
                                  part.size()) == 1;
    }
    ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok || len != out.size()) throw std::runtime_error("HMAC-SHA256 failed");
    return out;
}

}  // namespace

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
    return mac_parts(key, {message});
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view part1, std::string_view part2) {
    return mac_parts(key, {part1, part2});
}

std::string to_hex(Sha256Digest const& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (auto byte : digest) {
        out.push_back(kHex[byte >> 4]);
        out.push_back(kHex[byte & 0x0f]);
    }
    return out;
}

std::string to_base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    auto const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<unsigned char const*>(bytes.data()),
                                   static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tb::http
