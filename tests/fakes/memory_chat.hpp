#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bot/ports/chat.hpp"

namespace tb::fakes {

namespace asio = boost::asio;

// bot::Chat in memory, for flow tests: a workspace of messages and users, and a log of what
// the flows posted. fail_next() makes the next calls answer an error.
class MemoryChat final : public bot::Chat {
public:
    struct Posted {
        std::string kind;  // post, card, update, ephemeral, react, form, digest
        std::string channel;
        std::string thread_ts;
        std::string text;
        bot::TicketCard card;
        bot::TicketDraft draft;
        std::optional<bot::CommandReply> reply;  // respond: the answer
        bot::SolveDraft solve;                   // solve_form
        bot::PendingDigest digest{};             // digest
    };

    bot::ChatIdentity me{"T1", "UBOT", "BBOT"};
    bool slow_posts = false;

    void add_user(bot::ChatUser user) {
        std::lock_guard lock{mutex_};
        users_[user.id] = std::move(user);
    }
    void set_usergroup(std::string id, std::vector<std::string> members) {
        std::lock_guard lock{mutex_};
        usergroups_[std::move(id)] = std::move(members);
    }
    int usergroup_calls() const {
        std::lock_guard lock{mutex_};
        return usergroup_calls_;
    }
    int thread_reads() const {
        std::lock_guard lock{mutex_};
        return thread_reads_;
    }
    void add_message(bot::ChatMessage message) {
        std::lock_guard lock{mutex_};
        messages_.push_back(std::move(message));
    }
    void fail_next(bot::ApiError error, int times = 1) {
        std::lock_guard lock{mutex_};
        for (int i = 0; i < times; ++i) failures_.push_back(error);
    }
    // The n-th call from now (0: the next) fails once with `error`.
    void fail_nth(int n, bot::ApiError error) {
        std::lock_guard lock{mutex_};
        fail_at_[calls_ + n] = std::move(error);
    }
    std::vector<Posted> posted(std::string const& kind = {}) const {
        std::lock_guard lock{mutex_};
        std::vector<Posted> out;
        for (auto const& p : posted_) {
            if (kind.empty() || p.kind == kind) out.push_back(p);
        }
        return out;
    }

    // bot::Chat
    asio::awaitable<bot::ApiResult<bot::ChatIdentity>> identity() override {
        if (auto e = failure()) co_return *e;
        co_return me;
    }
    asio::awaitable<bot::ApiResult<std::vector<bot::ChatMessage>>> thread(std::string channel, std::string ts) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        ++thread_reads_;
        std::string root;
        for (auto const& m : messages_) {
            if (m.channel == channel && m.ts == ts) root = m.root_ts();
        }
        if (root.empty()) co_return bot::api_error(bot::ApiError::Kind::not_found, "thread_not_found");
        std::vector<bot::ChatMessage> out;
        for (auto const& m : messages_) {
            if (m.channel == channel && (m.ts == root || m.thread_ts == root)) out.push_back(m);
        }
        std::sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.ts < b.ts; });
        co_return out;
    }
    asio::awaitable<bot::ApiResult<std::string>> permalink(std::string channel, std::string ts) override {
        if (auto e = failure()) co_return *e;
        co_return "https://fake.slack.com/archives/" + channel + "/p" + ts;
    }
    asio::awaitable<bot::ApiResult<bot::ChatUser>> user(std::string user_id) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        auto const it = users_.find(user_id);
        if (it == users_.end()) co_return bot::api_error(bot::ApiError::Kind::not_found, "user_not_found");
        co_return it->second;
    }
    asio::awaitable<bot::ApiResult<std::string>> download(bot::ChatFile file, std::int64_t max_bytes) override {
        if (auto e = failure()) co_return *e;
        if (file.size > max_bytes) co_return bot::api_error(bot::ApiError::Kind::rejected, "too large");
        co_return "content of " + file.name;
    }
    asio::awaitable<bot::ApiResult<std::string>> post(std::string channel, std::string thread_ts,
                                                      std::string text) override {
        if (auto e = failure()) co_return *e;
        if (slow_posts) {  // lets other coroutines run meanwhile, as a network round trip would
            auto const executor = co_await asio::this_coro::executor;
            co_await asio::post(executor, asio::use_awaitable);
        }
        co_return log(Posted{"post", channel, thread_ts, text, {}, {}, {}, {}});
    }
    asio::awaitable<bot::ApiResult<std::string>> post_card(std::string channel, std::string thread_ts,
                                                           bot::TicketCard card) override {
        if (auto e = failure()) co_return *e;
        co_return log(Posted{"card", channel, thread_ts, {}, std::move(card), {}, {}, {}});
    }
    asio::awaitable<bot::ApiResult<std::string>> post_pending_digest(std::string channel,
                                                                     bot::PendingDigest digest) override {
        if (auto e = failure()) co_return *e;
        Posted posted{"digest", channel, {}, digest.title, {}, {}, {}, {}};
        posted.digest = std::move(digest);
        co_return log(std::move(posted));
    }
    asio::awaitable<bot::ApiResult<void>> update_card(std::string channel, std::string ts,
                                                      bot::TicketCard card) override {
        if (auto e = failure()) co_return *e;
        log(Posted{"update", channel, ts, {}, std::move(card), {}, {}, {}});
        co_return bot::ApiResult<void>{};
    }
    asio::awaitable<bot::ApiResult<void>> post_ephemeral(std::string channel, std::string user,
                                                         std::string thread_ts, std::string text) override {
        if (auto e = failure()) co_return *e;
        log(Posted{"ephemeral", channel, thread_ts, user + ": " + text, {}, {}, {}, {}});
        co_return bot::ApiResult<void>{};
    }
    asio::awaitable<bot::ApiResult<void>> react(std::string channel, std::string ts, std::string emoji) override {
        if (auto e = failure()) co_return *e;
        log(Posted{"react", channel, ts, emoji, {}, {}, {}, {}});
        co_return bot::ApiResult<void>{};
    }
    asio::awaitable<bot::ApiResult<void>> open_ticket_form(std::string trigger_id, bot::TicketDraft draft) override {
        if (auto e = failure()) co_return *e;
        log(Posted{"form", draft.channel, draft.message_ts, trigger_id, {}, std::move(draft), {}, {}});
        co_return bot::ApiResult<void>{};
    }
    asio::awaitable<bot::ApiResult<void>> open_solve_form(std::string trigger_id, bot::SolveDraft draft) override {
        if (auto e = failure()) co_return *e;
        Posted p{"solve_form", draft.channel, draft.card_ts, trigger_id, {}, {}, {}, {}};
        p.solve = std::move(draft);
        log(std::move(p));
        co_return bot::ApiResult<void>{};
    }
    asio::awaitable<bot::ApiResult<void>> respond(std::string response_url, bot::CommandReply reply) override {
        if (auto e = failure()) co_return *e;
        Posted p{"respond", {}, response_url, reply.text, {}, {}, {}, {}};
        p.reply = std::move(reply);
        log(std::move(p));
        co_return bot::ApiResult<void>{};
    }
    asio::awaitable<bot::ApiResult<std::vector<std::string>>> usergroup_members(std::string usergroup) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        ++usergroup_calls_;
        auto const it = usergroups_.find(usergroup);
        if (it == usergroups_.end()) co_return bot::api_error(bot::ApiError::Kind::not_found, "no_such_subteam");
        co_return it->second;
    }

private:
    std::optional<bot::ApiError> failure() {
        std::lock_guard lock{mutex_};
        if (auto const it = fail_at_.find(calls_++); it != fail_at_.end()) return it->second;
        if (failures_.empty()) return std::nullopt;
        auto e = failures_.front();
        failures_.pop_front();
        return e;
    }
    std::map<std::string, std::vector<std::string>> usergroups_;
    int usergroup_calls_ = 0;
    int thread_reads_ = 0;
    std::string log(Posted p) {
        std::lock_guard lock{mutex_};
        posted_.push_back(std::move(p));
        return "1700000999." + std::to_string(100000 + posted_.size());
    }

    mutable std::mutex mutex_;
    std::map<std::string, bot::ChatUser> users_;
    std::vector<bot::ChatMessage> messages_;
    std::deque<bot::ApiError> failures_;
    std::map<int, bot::ApiError> fail_at_;
    int calls_ = 0;
    std::vector<Posted> posted_;
};

}  // namespace tb::fakes
