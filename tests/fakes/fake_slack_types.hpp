#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/clock.hpp"

namespace tb::fakes {

struct SlackUser {
    std::string id;
    std::string name;
    std::string real_name;
    std::string email;
    bool is_bot = false;
    std::string bot_id;
};

struct SlackChannel {
    std::string id;
    std::string name;
    bool is_private = false;
    bool is_member = true;  // whether the bot is in it; chat.postMessage needs that
};

struct SlackFile {
    std::string id;  // "F0..."
    std::string name;
    std::string mimetype = "text/plain";
    std::string content;  // served at url_private to holders of the bot token
    std::string title;
};

struct SlackReaction {
    std::string name;
    std::vector<std::string> users;
};

struct SlackEdit {
    std::string text;
    nlohmann::json blocks;  // null when that version had none
};

struct SlackMessage {
    std::string channel;
    std::string ts;
    std::string user;
    std::string text;
    std::string thread_ts;  // empty for a message outside any thread
    std::string bot_id;     // set when posted with the bot token
    nlohmann::json blocks;  // null when the message has none
    std::vector<SlackFile> files;
    std::vector<SlackReaction> reactions;
    std::vector<SlackEdit> edits;  // earlier versions, oldest first
    std::string edited_ts;         // ts of the last chat.update, empty if never edited

    bool is_reply() const { return !thread_ts.empty() && thread_ts != ts; }
};

struct SlackEphemeral {
    std::string channel;
    std::string user;
    std::string text;
    std::string thread_ts;
    std::string message_ts;
    nlohmann::json blocks;
};

struct ResponseUrlPost {
    std::string path;  // "/commands/T0/1/abc"
    nlohmann::json body;
    bot::Instant at{};  // when it arrived, by the fake's clock
};

struct SlackView {
    std::string id;
    std::string trigger_id;
    nlohmann::json view;                  // as views.open / views.update answered it
    std::vector<nlohmann::json> history;  // earlier versions, oldest first
    bot::Instant opened_at{};             // by the fake's clock
};

// One request to a Web API method, as decoded by the fake (the token is never kept).
struct SlackCall {
    std::string method;
    nlohmann::json params;
    int status = 200;
    std::string error;  // Slack's error code, empty when the call succeeded
};

}  // namespace tb::fakes
