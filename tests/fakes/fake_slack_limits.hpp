#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bot/clock.hpp"

namespace tb::fakes::slack_detail {

// Each Web API method's tier floor, calls a minute (from TB_SPECS_DIR/slack/rate-limit-tiers.json);
// methods under the per-channel rule are left out.
std::map<std::string, int, std::less<>> const& tier_floors();

// Slack's limits as a fake can keep them: chat.postMessage about one message per second per
// channel with a short burst (a token bucket), and per-method tiers as a sliding minute.
class SlackRateLimiter {
public:
    SlackRateLimiter();  // tiers from TB_SPECS_DIR/slack/rate-limit-tiers.json

    void enforce_tiers(bool on) { tiers_on_ = on; }
    void enforce_channel_limit(bool on) { channel_on_ = on; }

    // nullopt when the call may go ahead, else how long the caller must wait (Retry-After).
    std::optional<std::chrono::seconds> admit(std::string_view method, std::string_view channel,
                                              bot::Instant now);

    static constexpr std::int64_t kChannelBurst = 3;

private:
    struct Bucket {
        std::int64_t milli_tokens = kChannelBurst * 1000;
        bot::Instant last{};
    };

    std::optional<std::chrono::seconds> admit_channel(std::string_view channel, bot::Instant now);
    std::optional<std::chrono::seconds> admit_tier(std::string_view method, bot::Instant now);

    bool tiers_on_ = false;
    bool channel_on_ = true;
    std::map<std::string, int, std::less<>> per_minute_;  // method -> floor; absent: unlimited
    std::map<std::string, Bucket, std::less<>> buckets_;
    std::map<std::string, std::deque<bot::Instant>, std::less<>> windows_;
};

}  // namespace tb::fakes::slack_detail
