#include "adapters/slack/web_api.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/channel_pacer.hpp"
#include "adapters/slack/web_call.hpp"
#include "adapters/slack/web_parse.hpp"

namespace tb::slack {
namespace {

using bot::ApiResult;
using SteadyClock = std::chrono::steady_clock;

// conversations.replies: Slack's recommended page size, and a bound on runaway cursors.
constexpr char const* kPageSize = "200";
constexpr int kMaxPages = 100;
// Names and e-mails change rarely; a short cache spares users.info on every reply.
constexpr auto kUserTtl = std::chrono::minutes{10};
constexpr std::size_t kMaxCachedUsers = 2000;

template <class T>
ApiResult<T> failure(bot::ApiError error) {
    return {boost::system::in_place_error, std::move(error)};
}

std::string text_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string next_cursor(Json const& answer) {
    auto const meta = answer.find("response_metadata");
    return meta != answer.end() && meta->is_object() ? text_of(*meta, "next_cursor")
                                                     : std::string{};
}

// Reaction names go without the colons people write around them.
std::string emoji_name(std::string emoji) {
    if (emoji.size() > 2 && emoji.front() == ':' && emoji.back() == ':') {
        emoji = emoji.substr(1, emoji.size() - 2);
    }
    return emoji;
}

class SlackChat final : public bot::Chat {
public:
    SlackChat(http::HttpClient& client, std::string api_url, std::string const& bot_token)
        : web_{client, std::move(api_url), bot_token} {}

    // bot::Chat
    asio::awaitable<ApiResult<bot::ChatIdentity>> identity() override;
    asio::awaitable<ApiResult<std::vector<bot::ChatMessage>>> thread(std::string channel,
                                                                     std::string ts) override;
    asio::awaitable<ApiResult<std::string>> permalink(std::string channel, std::string ts) override;
    asio::awaitable<ApiResult<bot::ChatUser>> user(std::string user_id) override;
    asio::awaitable<ApiResult<std::string>> download(bot::ChatFile file,
                                                     std::int64_t max_bytes) override;
    asio::awaitable<ApiResult<std::string>> post(std::string channel, std::string thread_ts,
                                                 std::string text) override;
    asio::awaitable<ApiResult<std::string>> post_card(std::string channel, std::string thread_ts,
                                                      bot::TicketCard card) override;
    asio::awaitable<ApiResult<void>> update_card(std::string channel, std::string ts,
                                                 bot::TicketCard card) override;
    asio::awaitable<ApiResult<std::string>> post_pending_digest(std::string channel,
                                                                bot::PendingDigest digest) override;
    asio::awaitable<ApiResult<void>> post_ephemeral(std::string channel, std::string user,
                                                    std::string thread_ts,
                                                    std::string text) override;
    asio::awaitable<ApiResult<void>> react(std::string channel, std::string ts,
                                           std::string emoji) override;
    asio::awaitable<ApiResult<void>> open_ticket_form(std::string trigger_id,
                                                      bot::TicketDraft draft) override;
    asio::awaitable<ApiResult<void>> open_solve_form(std::string trigger_id,
                                                     bot::SolveDraft draft) override;
    asio::awaitable<ApiResult<void>> respond(std::string response_url,
                                             bot::CommandReply reply) override;
    asio::awaitable<ApiResult<std::vector<std::string>>> usergroup_members(
        std::string usergroup) override;

private:
    struct CachedUser {
        bot::ChatUser user;
        SteadyClock::time_point fetched;
    };

    asio::awaitable<ApiResult<std::string>> post_message(Json args);
    std::optional<bot::ChatUser> cached_user(std::string const& id);
    void remember(bot::ChatUser const& user);

    WebCaller web_;
    ChannelPacer pacer_;
    std::mutex mutex_;  // guards the caches: calls may run on several executors at once
    std::optional<bot::ChatIdentity> identity_;
    std::map<std::string, CachedUser> users_;
};

asio::awaitable<ApiResult<bot::ChatIdentity>> SlackChat::identity() {
    {
        std::scoped_lock lock{mutex_};
        if (identity_) co_return *identity_;
    }
    QueryArgs none;
    auto answer = co_await web_.get("auth.test", std::move(none));
    if (!answer) co_return failure<bot::ChatIdentity>(answer.error());
    auto identity = parse_identity(*answer);
    std::scoped_lock lock{mutex_};
    identity_ = identity;
    co_return identity;
}

asio::awaitable<ApiResult<std::vector<bot::ChatMessage>>> SlackChat::thread(std::string channel,
                                                                            std::string ts) {
    std::vector<bot::ChatMessage> messages;
    std::set<std::string> seen;  // Slack may repeat the root on every page
    std::string cursor;
    for (int page = 0; page < kMaxPages; ++page) {
        QueryArgs args{{"channel", channel}, {"ts", ts}, {"limit", kPageSize}};
        if (!cursor.empty()) args.emplace_back("cursor", cursor);
        auto answer = co_await web_.get("conversations.replies", std::move(args));
        if (!answer) co_return failure<std::vector<bot::ChatMessage>>(answer.error());
        if (auto const list = answer->find("messages"); list != answer->end() && list->is_array()) {
            for (auto const& item : *list) {
                if (!item.is_object()) continue;
                auto message = parse_message(item, channel);
                if (seen.insert(message.ts).second) messages.push_back(std::move(message));
            }
        }
        auto next = next_cursor(*answer);
        if (next.empty() || next == cursor) break;
        cursor = std::move(next);
    }
    co_return messages;
}

asio::awaitable<ApiResult<std::string>> SlackChat::permalink(std::string channel, std::string ts) {
    QueryArgs args{{"channel", std::move(channel)}, {"message_ts", std::move(ts)}};
    auto answer = co_await web_.get("chat.getPermalink", std::move(args));
    if (!answer) co_return failure<std::string>(answer.error());
    co_return text_of(*answer, "permalink");
}

std::optional<bot::ChatUser> SlackChat::cached_user(std::string const& id) {
    std::scoped_lock lock{mutex_};
    auto const it = users_.find(id);
    if (it == users_.end() || SteadyClock::now() - it->second.fetched > kUserTtl) {
        return std::nullopt;
    }
    return it->second.user;
}

void SlackChat::remember(bot::ChatUser const& user) {
    std::scoped_lock lock{mutex_};
    if (users_.size() >= kMaxCachedUsers) users_.clear();
    users_[user.id] = {user, SteadyClock::now()};
}

asio::awaitable<ApiResult<bot::ChatUser>> SlackChat::user(std::string user_id) {
    if (auto cached = cached_user(user_id)) co_return std::move(*cached);
    QueryArgs args{{"user", user_id}};
    auto answer = co_await web_.get("users.info", std::move(args));
    if (!answer) co_return failure<bot::ChatUser>(answer.error());
    auto const found = answer->find("user");
    if (found == answer->end() || !found->is_object()) {
        co_return failure<bot::ChatUser>(bot::api_error(bot::ApiError::Kind::not_found, user_id));
    }
    auto user = parse_user(*found);
    if (user.id.empty()) user.id = user_id;
    remember(user);
    co_return user;
}

asio::awaitable<ApiResult<std::string>> SlackChat::download(bot::ChatFile file,
                                                            std::int64_t max_bytes) {
    if (file.size > max_bytes) {
        co_return failure<std::string>(
            bot::api_error(bot::ApiError::Kind::rejected, "file too large"));
    }
    if (file.url_private.empty()) {
        co_return failure<std::string>(
            bot::api_error(bot::ApiError::Kind::not_found, "file has no url_private"));
    }
    co_return co_await web_.fetch_file(std::move(file.url_private), max_bytes);
}

asio::awaitable<ApiResult<std::string>> SlackChat::post_message(Json args) {
    auto const channel = args.value("channel", std::string{});
    if (auto const wait = co_await pacer_.turn(channel)) {
        auto busy = bot::api_error(bot::ApiError::Kind::rate_limited, "one message per second in " + channel, *wait);
        co_return failure<std::string>(std::move(busy));
    }
    auto answer = co_await web_.post("chat.postMessage", std::move(args));
    if (!answer) co_return failure<std::string>(answer.error());
    co_return text_of(*answer, "ts");
}

asio::awaitable<ApiResult<std::string>> SlackChat::post(std::string channel, std::string thread_ts,
                                                        std::string text) {
    Json args = {{"channel", std::move(channel)}, {"text", clip(text, kMaxMessageText)}};
    if (!thread_ts.empty()) args["thread_ts"] = std::move(thread_ts);
    co_return co_await post_message(std::move(args));
}

asio::awaitable<ApiResult<std::string>> SlackChat::post_card(std::string channel,
                                                             std::string thread_ts,
                                                             bot::TicketCard card) {
    Json args = {
        {"channel", std::move(channel)}, {"text", card_text(card)}, {"blocks", card_blocks(card)}};
    if (!thread_ts.empty()) args["thread_ts"] = std::move(thread_ts);
    co_return co_await post_message(std::move(args));
}

asio::awaitable<ApiResult<std::string>> SlackChat::post_pending_digest(std::string channel,
                                                                     bot::PendingDigest digest) {
    Json args = {{"channel", std::move(channel)},
                 {"text", pending_digest_text(digest)},
                 {"blocks", pending_digest_blocks(digest)}};
    co_return co_await post_message(std::move(args));
}

asio::awaitable<ApiResult<void>> SlackChat::update_card(std::string channel, std::string ts,
                                                        bot::TicketCard card) {
    Json args = {{"channel", std::move(channel)},
                 {"ts", std::move(ts)},
                 {"text", card_text(card)},
                 {"blocks", card_blocks(card)}};
    auto answer = co_await web_.post("chat.update", std::move(args));
    if (!answer) co_return failure<void>(answer.error());
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> SlackChat::post_ephemeral(std::string channel, std::string user,
                                                           std::string thread_ts,
                                                           std::string text) {
    Json args = {{"channel", std::move(channel)},
                 {"user", std::move(user)},
                 {"text", clip(text, kMaxMessageText)}};
    if (!thread_ts.empty()) args["thread_ts"] = std::move(thread_ts);
    auto answer = co_await web_.post("chat.postEphemeral", std::move(args));
    if (!answer) co_return failure<void>(answer.error());
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> SlackChat::react(std::string channel, std::string ts,
                                                  std::string emoji) {
    Json args = {{"channel", std::move(channel)},
                 {"timestamp", std::move(ts)},
                 {"name", emoji_name(std::move(emoji))}};
    auto answer = co_await web_.post("reactions.add", std::move(args));
    if (!answer && answer.error().message != "already_reacted") {
        co_return failure<void>(answer.error());
    }
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> SlackChat::open_ticket_form(std::string trigger_id,
                                                             bot::TicketDraft draft) {
    Json args = {{"trigger_id", std::move(trigger_id)}, {"view", ticket_form_view(draft)}};
    auto answer = co_await web_.post("views.open", std::move(args));
    if (!answer) co_return failure<void>(answer.error());
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> SlackChat::open_solve_form(std::string trigger_id,
                                                            bot::SolveDraft draft) {
    Json args = {{"trigger_id", std::move(trigger_id)}, {"view", solve_form_view(draft)}};
    auto answer = co_await web_.post("views.open", std::move(args));
    if (!answer) co_return failure<void>(answer.error());
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> SlackChat::respond(std::string response_url,
                                                    bot::CommandReply reply) {
    Json body = {{"response_type", "ephemeral"}, {"replace_original", false}};
    if (reply.listing) {
        // With blocks, Slack shows only them; the text is the notification's fallback.
        body["blocks"] = listing_blocks(*reply.listing, reply.text);
        auto const fallback = reply.text.empty() ? escape_mrkdwn(reply.listing->title) : reply.text;
        body["text"] = clip(fallback, kMaxMessageText);
    } else {
        body["text"] = clip(reply.text, kMaxMessageText);
    }
    co_return co_await web_.post_response(std::move(response_url), std::move(body));
}

asio::awaitable<ApiResult<std::vector<std::string>>> SlackChat::usergroup_members(
    std::string usergroup) {
    QueryArgs args{{"usergroup", std::move(usergroup)}};
    auto answer = co_await web_.get("usergroups.users.list", std::move(args));
    if (!answer) co_return failure<std::vector<std::string>>(answer.error());
    std::vector<std::string> members;
    if (auto const users = answer->find("users"); users != answer->end() && users->is_array()) {
        for (auto const& user : *users) {
            if (user.is_string()) members.push_back(user.get<std::string>());
        }
    }
    co_return members;
}

}  // namespace

std::unique_ptr<bot::Chat> make_slack_chat(http::HttpClient& client, std::string api_url,
                                           std::string bot_token) {
    return std::make_unique<SlackChat>(client, std::move(api_url), bot_token);
}

}  // namespace tb::slack
