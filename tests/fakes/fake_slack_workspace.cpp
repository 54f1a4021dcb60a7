#include "tests/fakes/fake_slack_state.hpp"

#include <algorithm>
#include <cstdio>

namespace tb::fakes::slack_detail {

nlohmann::json slack_ok(nlohmann::json fields) {
    nlohmann::json out = {{"ok", true}};
    out.update(fields);
    return out;
}

nlohmann::json slack_error(std::string_view code) { return {{"ok", false}, {"error", code}}; }

std::optional<std::int64_t> parse_ts(std::string_view ts) {
    auto const dot = ts.find('.');
    auto const whole = ts.substr(0, dot);
    auto fraction = dot == std::string_view::npos ? std::string_view{} : ts.substr(dot + 1);
    if (whole.empty() || whole.size() > 12 || fraction.size() > 6) return std::nullopt;
    auto const all_digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!all_digits(whole) || !all_digits(fraction)) return std::nullopt;
    std::int64_t us = std::stoll(std::string{whole}) * 1'000'000;
    std::int64_t scale = 100'000;
    for (char const c : fraction) {
        us += (c - '0') * scale;
        scale /= 10;
    }
    return us;
}

std::string format_ts(std::int64_t ts_us) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%lld.%06lld", static_cast<long long>(ts_us / 1'000'000),
                  static_cast<long long>(ts_us % 1'000'000));
    return buffer;
}

std::string Workspace::next_ts(bot::Instant now) {
    last_ts_us = std::max(bot::to_unix_ms(now) * 1000, last_ts_us + 1);
    return format_ts(last_ts_us);
}

void Workspace::saw_ts(std::int64_t ts_us) { last_ts_us = std::max(last_ts_us, ts_us); }

ChannelLog* Workspace::log(std::string_view channel) {
    auto const it = logs.find(channel);
    return it == logs.end() ? nullptr : &it->second;
}

SlackMessage* Workspace::find(std::string_view channel, std::string_view ts) {
    auto const* self = this;
    return const_cast<SlackMessage*>(self->find(channel, ts));
}

SlackMessage const* Workspace::find(std::string_view channel, std::string_view ts) const {
    auto const key = parse_ts(ts);
    auto const it = logs.find(channel);
    if (!key || it == logs.end()) return nullptr;
    auto const found = it->second.find(*key);
    return found == it->second.end() ? nullptr : &found->second;
}

SlackFile const* Workspace::find_file(std::string_view file_id, SlackMessage const** owner) const {
    for (auto const& [channel, messages] : logs) {
        for (auto const& [key, message] : messages) {
            for (auto const& file : message.files) {
                if (file.id != file_id) continue;
                if (owner != nullptr) *owner = &message;
                return &file;
            }
        }
    }
    return nullptr;
}

std::vector<SlackMessage const*> Workspace::thread(std::string_view channel,
                                                   std::string_view ts) const {
    std::vector<SlackMessage const*> out;
    auto const* start = find(channel, ts);
    if (start == nullptr) return out;
    auto const root_ts = start->is_reply() ? start->thread_ts : start->ts;
    for (auto const& [key, message] : logs.find(channel)->second) {
        if (message.ts == root_ts || message.thread_ts == root_ts) out.push_back(&message);
    }
    return out;
}

}  // namespace tb::fakes::slack_detail
