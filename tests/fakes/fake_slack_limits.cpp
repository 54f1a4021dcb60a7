#include "tests/fakes/fake_slack_limits.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

namespace tb::fakes::slack_detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWindow = std::chrono::minutes{1};

std::map<std::string, int, std::less<>> load_tier_floors();

}  // namespace

std::map<std::string, int, std::less<>> const& tier_floors() {
    static auto const floors = load_tier_floors();
    return floors;
}

namespace {

std::map<std::string, int, std::less<>> load_tier_floors() {
    std::string const path = std::string{TB_SPECS_DIR} + "/slack/rate-limit-tiers.json";
    std::ifstream in{path};
    if (!in) throw std::runtime_error("cannot read " + path);
    auto const doc = nlohmann::json::parse(in);
    std::map<std::string, int, std::less<>> floors;
    for (auto const& [method, tier_name] : doc.at("methods").items()) {
        auto const& tier = doc.at("tiers").at(tier_name.get<std::string>());
        // Per-channel / per-DM tiers are the burst rule, kept by the channel bucket instead.
        if (tier.contains("scope")) continue;
        floors.emplace(method, tier.at("per_minute_floor").get<int>());
    }
    return floors;
}

seconds ceil_seconds(milliseconds wait) {
    return std::max(seconds{1}, std::chrono::ceil<seconds>(wait));
}

}  // namespace

SlackRateLimiter::SlackRateLimiter() : per_minute_{tier_floors()} {}

std::optional<seconds> SlackRateLimiter::admit(std::string_view method, std::string_view channel,
                                               bot::Instant now) {
    if (method == "chat.postMessage" && channel_on_ && !channel.empty()) {
        if (auto wait = admit_channel(channel, now)) return wait;
    }
    if (tiers_on_) return admit_tier(method, now);
    return std::nullopt;
}

std::optional<seconds> SlackRateLimiter::admit_channel(std::string_view channel, bot::Instant now) {
    auto it = buckets_.find(channel);
    if (it == buckets_.end())
        it = buckets_.emplace(std::string{channel}, Bucket{kChannelBurst * 1000, now}).first;
    auto& bucket = it->second;
    // One token per second, so one milli-token per elapsed millisecond.
    auto const elapsed = std::max<std::int64_t>(0, (now - bucket.last).count());
    bucket.milli_tokens = std::min(kChannelBurst * 1000, bucket.milli_tokens + elapsed);
    bucket.last = now;
    if (bucket.milli_tokens < 1000) return seconds{1};
    bucket.milli_tokens -= 1000;
    return std::nullopt;
}

std::optional<seconds> SlackRateLimiter::admit_tier(std::string_view method, bot::Instant now) {
    auto const floor = per_minute_.find(method);
    if (floor == per_minute_.end()) return std::nullopt;
    auto& window = windows_[std::string{method}];
    while (!window.empty() && window.front() + kWindow <= now) window.pop_front();
    if (std::cmp_greater_equal(window.size(), floor->second)) {
        return ceil_seconds(window.front() + kWindow - now);
    }
    window.push_back(now);
    return std::nullopt;
}

}  // namespace tb::fakes::slack_detail
