#include "tests/fakes/fake_slack.hpp"

#include <stdexcept>

#include "tests/fakes/fake_slack_render.hpp"
#include "tests/fakes/fake_slack_routes.hpp"
#include "tests/fakes/fake_slack_state.hpp"

namespace tb::fakes {

using slack_detail::State;

FakeSlack::FakeSlack() : state_{std::make_shared<State>(nullptr)} {}

FakeSlack::FakeSlack(bot::Clock const& clock) : state_{std::make_shared<State>(&clock)} {}

FakeSlack::~FakeSlack() = default;

void FakeSlack::add_user(std::string id, std::string name, std::string real_name, std::string email,
                         bool is_bot) {
    std::scoped_lock lock{state_->mutex};
    auto const key = id;
    state_->ws.users[key] = {std::move(id),    std::move(name), std::move(real_name),
                             std::move(email), is_bot,          {}};
}

void FakeSlack::add_channel(std::string id, std::string name, bool bot_is_member) {
    std::scoped_lock lock{state_->mutex};
    auto& ws = state_->ws;
    ws.logs[id];
    auto const key = id;
    ws.channels[key] = {std::move(id), std::move(name), false, bot_is_member};
}

SlackMessage FakeSlack::add_message(std::string channel, std::string ts, std::string user,
                                    std::string text, std::string thread_ts,
                                    std::vector<SlackFile> files) {
    auto const key = slack_detail::parse_ts(ts);
    if (!key) throw std::invalid_argument("FakeSlack::add_message: bad ts " + ts);
    std::scoped_lock lock{state_->mutex};
    auto& ws = state_->ws;
    if (!ws.channels.contains(channel)) ws.channels[channel] = {channel, channel, false, true};
    ws.saw_ts(*key);
    SlackMessage message;
    message.channel = channel;
    message.ts = std::move(ts);
    message.user = std::move(user);
    message.text = std::move(text);
    message.thread_ts = std::move(thread_ts);
    message.files = std::move(files);
    auto const bot = ws.users.find(message.user);
    if (bot != ws.users.end() && bot->second.is_bot) message.bot_id = bot->second.bot_id;
    return ws.logs[channel].insert_or_assign(*key, std::move(message)).first->second;
}

void FakeSlack::add_reaction(std::string const& channel, std::string const& ts, std::string name,
                             std::string user) {
    std::scoped_lock lock{state_->mutex};
    auto* message = state_->ws.find(channel, ts);
    if (message == nullptr) throw std::invalid_argument("FakeSlack::add_reaction: no " + ts);
    for (auto& reaction : message->reactions) {
        if (reaction.name == name) {
            reaction.users.push_back(std::move(user));
            return;
        }
    }
    message->reactions.push_back({std::move(name), {std::move(user)}});
}

void FakeSlack::add_usergroup(std::string id, std::vector<std::string> users) {
    std::scoped_lock lock{state_->mutex};
    state_->ws.usergroups[std::move(id)] = std::move(users);
}

void FakeSlack::set_bot(std::string user_id, std::string bot_id) {
    std::scoped_lock lock{state_->mutex};
    auto& ws = state_->ws;
    auto& user = ws.users[user_id];
    if (user.id.empty()) user = {user_id, "ticketbridge", "ticketbridge", {}, true, {}};
    user.is_bot = true;
    user.bot_id = bot_id;
    ws.bot_user_id = std::move(user_id);
    ws.bot_id = std::move(bot_id);
}

void FakeSlack::expect_token(std::string token) {
    std::scoped_lock lock{state_->mutex};
    state_->ws.expected_token = std::move(token);
}

std::string FakeSlack::issue_trigger(std::string trigger_id) {
    return issue_trigger(std::move(trigger_id), state_->now());
}

std::string FakeSlack::issue_trigger(std::string trigger_id, bot::Instant issued_at) {
    std::scoped_lock lock{state_->mutex};
    state_->ws.triggers[trigger_id] = {issued_at, false};
    return trigger_id;
}

void FakeSlack::set_base_url(std::string base_url) {
    std::scoped_lock lock{state_->mutex};
    state_->ws.base_url = std::move(base_url);
}

void FakeSlack::enforce_tiers(bool on) {
    std::scoped_lock lock{state_->mutex};
    state_->ws.limiter.enforce_tiers(on);
}

void FakeSlack::enforce_channel_limit(bool on) {
    std::scoped_lock lock{state_->mutex};
    state_->ws.limiter.enforce_channel_limit(on);
}

std::size_t FakeSlack::ratelimited_count() const {
    std::scoped_lock lock{state_->mutex};
    return state_->ws.ratelimited;
}

std::string FakeSlack::base_url() const {
    std::scoped_lock lock{state_->mutex};
    if (state_->ws.base_url.empty()) {
        throw std::logic_error("FakeSlack: call start() or set_base_url() first");
    }
    return state_->ws.base_url;
}

std::string FakeSlack::api_url() const { return base_url() + "/api"; }

std::string FakeSlack::response_url(std::string const& id) const {
    return base_url() + "/commands/" + id;
}

std::string FakeSlack::action_response_url(std::string const& id) const {
    return base_url() + "/actions/" + id;
}

std::string FakeSlack::file_url(std::string const& file_id) const {
    auto const base = base_url();
    std::scoped_lock lock{state_->mutex};
    auto const* file = state_->ws.find_file(file_id, nullptr);
    if (file == nullptr) throw std::invalid_argument("FakeSlack::file_url: no file " + file_id);
    return base + slack_detail::file_path(*file);
}

std::vector<SlackMessage> FakeSlack::messages(std::string const& channel) const {
    std::scoped_lock lock{state_->mutex};
    std::vector<SlackMessage> out;
    if (auto const* log = state_->ws.log(channel)) {
        for (auto const& [key, message] : *log) out.push_back(message);
    }
    return out;
}

std::vector<SlackMessage> FakeSlack::thread(std::string const& channel,
                                            std::string const& ts) const {
    std::scoped_lock lock{state_->mutex};
    std::vector<SlackMessage> out;
    for (auto const* message : state_->ws.thread(channel, ts)) out.push_back(*message);
    return out;
}

std::vector<SlackReaction> FakeSlack::reactions(std::string const& channel,
                                                std::string const& ts) const {
    std::scoped_lock lock{state_->mutex};
    auto const* message = state_->ws.find(channel, ts);
    return message == nullptr ? std::vector<SlackReaction>{} : message->reactions;
}

std::vector<SlackEphemeral> FakeSlack::ephemerals() const {
    std::scoped_lock lock{state_->mutex};
    return state_->ws.ephemerals;
}

std::vector<ResponseUrlPost> FakeSlack::response_url_posts() const {
    std::scoped_lock lock{state_->mutex};
    return state_->ws.response_posts;
}

std::vector<SlackView> FakeSlack::views() const {
    std::scoped_lock lock{state_->mutex};
    return state_->ws.views;
}

std::vector<SlackCall> FakeSlack::calls(std::string const& method) const {
    std::scoped_lock lock{state_->mutex};
    std::vector<SlackCall> out;
    for (auto const& call : state_->ws.calls) {
        if (call.method == method) out.push_back(call);
    }
    return out;
}

std::vector<SlackCall> FakeSlack::calls() const {
    std::scoped_lock lock{state_->mutex};
    return state_->ws.calls;
}

std::vector<std::string> FakeSlack::violations() const {
    std::scoped_lock lock{state_->mutex};
    return state_->ws.violations;
}

Response FakeSlack::handle(Request const& req) { return slack_detail::route(*state_, req); }

Handler FakeSlack::handler() {
    return [state = state_](Request const& req) { return slack_detail::route(*state, req); };
}

FakeHttpServer& FakeSlack::server() {
    if (!server_) throw std::logic_error("FakeSlack: start() has not been called");
    return *server_;
}

}  // namespace tb::fakes
