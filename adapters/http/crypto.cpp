#include "adapters/http/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace tb::http {
namespace {

// Keyed HMAC contexts, per thread. Fetching the algorithm, making a context and deriving the
// key's pads cost about twice the MAC of a 300-byte body; a context already keyed only needs
// EVP_MAC_init without a key (it restarts from the saved inner pad). A process uses a few keys
// (Slack's and Zendesk's secrets, the interaction key), so a handful of slots is enough; other
// keys (tests) take turns in them.
class ThreadMacs {
public:
    ThreadMacs() : mac_{EVP_MAC_fetch(nullptr, "HMAC", nullptr)} {
        if (mac_ == nullptr) throw std::runtime_error("EVP_MAC_fetch(HMAC) failed");
    }
    ~ThreadMacs() {
        for (auto& slot : slots_) forget(slot);
        EVP_MAC_free(mac_);
    }
    ThreadMacs(ThreadMacs const&) = delete;
    ThreadMacs& operator=(ThreadMacs const&) = delete;

    // A context ready for EVP_MAC_update, keyed with `key`.
    EVP_MAC_CTX* start(std::string_view key) {
        for (auto& slot : slots_) {
            if (slot.ctx != nullptr && slot.key == key) {
                if (EVP_MAC_init(slot.ctx, nullptr, 0, nullptr) == 1) return slot.ctx;
                forget(slot);  // should not happen: key it afresh below
                return keyed(slot, key);
            }
        }
        auto& slot = slots_[next_++ % slots_.size()];
        forget(slot);
        return keyed(slot, key);
    }

private:
    struct Slot {
        std::string key;
        EVP_MAC_CTX* ctx = nullptr;
    };

    EVP_MAC_CTX* keyed(Slot& slot, std::string_view key) {
        slot.ctx = EVP_MAC_CTX_new(mac_);
        if (slot.ctx == nullptr) throw std::runtime_error("EVP_MAC_CTX_new failed");
        char digest_name[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0),
                               OSSL_PARAM_construct_end()};
        static constexpr unsigned char kNoKey[1] = {};
        auto const* bytes = key.empty() ? kNoKey : reinterpret_cast<unsigned char const*>(key.data());
        if (EVP_MAC_init(slot.ctx, bytes, key.size(),
                         params) != 1) {
            forget(slot);
            throw std::runtime_error("HMAC-SHA256 init failed");
        }
        slot.key.assign(key);
        return slot.ctx;
    }

    static void forget(Slot& slot) {
        EVP_MAC_CTX_free(slot.ctx);
        slot.ctx = nullptr;
        if (!slot.key.empty()) OPENSSL_cleanse(slot.key.data(), slot.key.size());
        slot.key.clear();
    }

    EVP_MAC* mac_;
    std::array<Slot, 4> slots_{};
    std::size_t next_ = 0;
};

Sha256Digest mac_parts(std::string_view key, std::initializer_list<std::string_view> parts) {
    thread_local ThreadMacs macs;
    EVP_MAC_CTX* ctx = macs.start(key);
    Sha256Digest out{};
    std::size_t len = 0;
    bool ok = true;
    for (auto part : parts) {
        ok = ok && EVP_MAC_update(ctx, reinterpret_cast<unsigned char const*>(part.data()),
                                  part.size()) == 1;
    }
    ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1;
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

std::array<char, 64> hex_digits(Sha256Digest const& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<char, 64> out{};
    for (std::size_t i = 0; i < digest.size(); ++i) {
        out[2 * i] = kHex[digest[i] >> 4];
        out[2 * i + 1] = kHex[digest[i] & 0x0f];
    }
    return out;
}

std::string to_hex(Sha256Digest const& digest) {
    auto const digits = hex_digits(digest);
    return {digits.data(), digits.size()};
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
