#include "bot/tickets/conversation.hpp"

#include <charconv>
#include <cstdint>
#include <ctime>

namespace tb::bot {
namespace {

void append_entry(std::string& out, ConversationEntry const& entry) {
    out += entry.text;
    for (auto const& note : entry.notes) out += "\n" + note;
}

}  // namespace

std::string slack_time(std::string_view ts) {
    std::int64_t seconds = 0;
    auto const digits = ts.substr(0, ts.find('.'));
    auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::string{ts};
    auto const when = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&when, &tm);
    char buffer[32];
    auto const n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
    return {buffer, n};
}

std::string render_conversation(std::vector<ConversationEntry> const& entries,
                                std::string_view channel_name, std::string_view permalink) {
    std::string out;
    if (entries.size() == 1) {
        auto const& only = entries.front();
        out += only.author + " wrote in #" + std::string{channel_name} + " (" + slack_time(only.ts) + "):\n\n";
        append_entry(out, only);
    } else {
        out += "Conversation from #" + std::string{channel_name} + " (" + std::to_string(entries.size()) +
               " messages):";
        for (auto const& entry : entries) {
            out += "\n\n" + entry.author + " — " + slack_time(entry.ts) + "\n";
            append_entry(out, entry);
        }
    }
    out += "\n\nSlack thread: " + std::string{permalink};
    return out;
}

std::string render_reply(ConversationEntry const& entry) {
    std::string out = entry.author + " replied in Slack (" + slack_time(entry.ts) + "):\n";
    append_entry(out, entry);
    return out;
}

std::string human_size(std::int64_t bytes) {
    char buffer[32];
    if (bytes < 1024 * 1024) {
        std::snprintf(buffer, sizeof buffer, "%.1f KB", static_cast<double>(bytes) / 1024.0);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    }
    return buffer;
}

}  // namespace tb::bot
