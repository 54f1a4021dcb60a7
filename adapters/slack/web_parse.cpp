#include "adapters/slack/web_parse.hpp"

#include <cstdint>

namespace tb::slack {
namespace {

using Json = nlohmann::json;

// Slack leaves fields out, or sends null, as often as it sends "".
std::string text_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::int64_t number_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bot::ChatFile parse_file(Json const& file) {
    bot::ChatFile out;
    out.id = text_of(file, "id");
    out.name = text_of(file, "name");
    if (out.name.empty()) out.name = text_of(file, "title");
    out.mimetype = text_of(file, "mimetype");
    out.size = number_of(file, "size");
    out.url_private = text_of(file, "url_private");
    out.permalink = text_of(file, "permalink");
    return out;
}

}  // namespace

bot::ChatMessage parse_message(Json const& message, std::string const& channel) {
    bot::ChatMessage out;
    out.channel = channel;
    out.ts = text_of(message, "ts");
    out.thread_ts = text_of(message, "thread_ts");
    out.user = text_of(message, "user");
    out.bot_id = text_of(message, "bot_id");
    out.subtype = text_of(message, "subtype");
    out.text = text_of(message, "text");
    if (auto const files = message.find("files"); files != message.end() && files->is_array()) {
        for (auto const& file : *files) {
            // Deleted files stay in the list as tombstones without a URL.
            if (!file.is_object() || text_of(file, "mode") == "tombstone") continue;
            out.files.push_back(parse_file(file));
        }
    }
    return out;
}

bot::ChatUser parse_user(Json const& user) {
    bot::ChatUser out;
    out.id = text_of(user, "id");
    out.name = text_of(user, "name");
    auto const is_bot = user.find("is_bot");
    out.is_bot = is_bot != user.end() && is_bot->is_boolean() && is_bot->get<bool>();
    auto const profile = user.find("profile");
    if (profile != user.end() && profile->is_object()) {
        out.real_name = text_of(*profile, "real_name");
        out.email = text_of(*profile, "email");
    }
    if (out.real_name.empty()) out.real_name = text_of(user, "real_name");
    return out;
}

bot::ChatIdentity parse_identity(Json const& answer) {
    return {text_of(answer, "team_id"), text_of(answer, "user_id"), text_of(answer, "bot_id")};
}

}  // namespace tb::slack
