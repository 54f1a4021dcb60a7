#include "adapters/zendesk/api.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "adapters/http/crypto.hpp"
#include "adapters/zendesk/api_call.hpp"
#include "adapters/zendesk/ticket_json.hpp"

namespace tb::zendesk {
namespace {

using bot::ApiResult;
using Kind = bot::ApiError::Kind;
using SteadyClock = std::chrono::steady_clock;
namespace bhttp = http::bhttp;

// Groups change rarely; a name that is not found reloads the list at most this often.
constexpr auto kGroupTtl = std::chrono::minutes{5};
constexpr auto kGroupRecheck = std::chrono::seconds{30};
constexpr int kMaxGroupPages = 50;
constexpr std::size_t kMaxIdempotencyKey = 255;

template <class T>
ApiResult<T> failure(bot::ApiError error) {
    return {boost::system::in_place_error, std::move(error)};
}

bot::ApiError malformed(char const* what) {
    return bot::api_error(Kind::unavailable, std::string{"response lacks "} + what);
}

std::string encoded(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

http::OutboundRequest request(bhttp::verb method, std::string path) {
    http::OutboundRequest out;
    out.method = method;
    out.url = std::move(path);
    return out;
}

http::OutboundRequest json_request(bhttp::verb method, std::string path, Json const& body) {
    auto out = request(method, std::move(path));
    out.body = body.dump();
    out.content_type = "application/json";
    return out;
}

std::string authorization(ZendeskAuth const& auth) {
    if (!auth.oauth_token.empty()) return "Bearer " + auth.oauth_token;
    return "Basic " + http::to_base64(auth.email + "/token:" + auth.api_token);
}

// Zendesk allows 255 characters; a longer key is replaced by a stable digest of itself.
std::string idempotency_key(std::string key) {
    if (key.size() <= kMaxIdempotencyKey) return key;
    return http::to_hex(http::hmac_sha256("ticketbridge-idempotency", key));
}

struct Group {
    bot::GroupId id = 0;
    std::string name;
};

class ZendeskDesk final : public bot::TicketDesk {
public:
    ZendeskDesk(http::HttpClient& client, std::string base_url, ZendeskAuth const& auth)
        : api_{client, std::move(base_url), authorization(auth)} {}

    // bot::TicketDesk
    asio::awaitable<ApiResult<bot::Ticket>> create(bot::NewTicket ticket,
                                                   std::string idempotency_key) override;
    asio::awaitable<ApiResult<std::optional<bot::Ticket>>> find_by_external_id(
        std::string external_id) override;
    asio::awaitable<ApiResult<bot::Ticket>> get(bot::TicketId id) override;
    asio::awaitable<ApiResult<bot::Ticket>> comment(bot::TicketId id, bot::NewComment comment,
                                                    bot::TicketChange change) override;
    asio::awaitable<ApiResult<std::optional<bot::DeskUserId>>> find_user(
        std::string email) override;
    asio::awaitable<ApiResult<std::string>> user_name(bot::DeskUserId id) override;
    asio::awaitable<ApiResult<std::optional<bot::GroupId>>> group_id(std::string name) override;
    asio::awaitable<ApiResult<std::string>> group_name(bot::GroupId id) override;
    asio::awaitable<ApiResult<std::vector<std::string>>> group_names() override;
    asio::awaitable<ApiResult<std::string>> upload(std::string filename, std::string content_type,
                                                   std::string bytes) override;
    std::string agent_url(bot::TicketId id) const override {
        return api_.base_url() + "/agent/tickets/" + std::to_string(id);
    }

private:
    asio::awaitable<ApiResult<bot::Ticket>> ticket_from(http::OutboundRequest request);
    // The group list, from the cache when it is younger than max_age.
    asio::awaitable<ApiResult<std::vector<Group>>> groups(SteadyClock::duration max_age);
    asio::awaitable<ApiResult<std::vector<Group>>> load_groups();

    ApiCaller api_;
    std::mutex mutex_;  // guards the group cache: calls may run on several executors at once
    std::vector<Group> groups_;
    std::optional<SteadyClock::time_point> groups_loaded_;
};

asio::awaitable<ApiResult<bot::Ticket>> ZendeskDesk::ticket_from(http::OutboundRequest request) {
    auto answer = co_await api_.send(std::move(request));
    if (!answer) co_return failure<bot::Ticket>(answer.error());
    auto ticket = parse_ticket(answer->value("ticket", Json{}));
    if (!ticket) co_return failure<bot::Ticket>(malformed("the ticket"));
    co_return std::move(*ticket);
}

asio::awaitable<ApiResult<bot::Ticket>> ZendeskDesk::create(bot::NewTicket ticket,
                                                            std::string key) {
    auto out = json_request(bhttp::verb::post, "/api/v2/tickets", create_body(ticket));
    if (!key.empty()) out.headers.emplace_back("Idempotency-Key", idempotency_key(std::move(key)));
    co_return co_await ticket_from(std::move(out));
}

asio::awaitable<ApiResult<std::optional<bot::Ticket>>> ZendeskDesk::find_by_external_id(
    std::string external_id) {
    auto out = request(bhttp::verb::get, "/api/v2/tickets?external_id=" + encoded(external_id));
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<std::optional<bot::Ticket>>(answer.error());
    // external_id is not unique in Zendesk: the oldest ticket is the one this thread made.
    std::optional<bot::Ticket> oldest;
    for (auto const& item : answer->value("tickets", Json::array())) {
        auto ticket = parse_ticket(item);
        if (!ticket || ticket->external_id != external_id) continue;
        if (!oldest || ticket->id < oldest->id) oldest = std::move(ticket);
    }
    co_return oldest;
}

asio::awaitable<ApiResult<bot::Ticket>> ZendeskDesk::get(bot::TicketId id) {
    auto out = request(bhttp::verb::get, "/api/v2/tickets/" + std::to_string(id));
    co_return co_await ticket_from(std::move(out));
}

asio::awaitable<ApiResult<bot::Ticket>> ZendeskDesk::comment(bot::TicketId id,
                                                             bot::NewComment comment,
                                                             bot::TicketChange change) {
    auto out = json_request(bhttp::verb::put, "/api/v2/tickets/" + std::to_string(id),
                            update_body(comment, change));
    co_return co_await ticket_from(std::move(out));
}

asio::awaitable<ApiResult<std::optional<bot::DeskUserId>>> ZendeskDesk::find_user(
    std::string email) {
    using Found = std::optional<bot::DeskUserId>;
    if (email.empty()) co_return Found{};
    auto out = request(bhttp::verb::get, "/api/v2/users/search?query=" + encoded("email:" + email));
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<Found>(answer.error());
    // Search matches loosely; only the exact address (case aside) is this person.
    auto const wanted = lower(email);
    for (auto const& user : answer->value("users", Json::array())) {
        auto const id = user.find("id");
        if (id == user.end() || !id->is_number_integer()) continue;
        auto const address = user.find("email");
        if (address != user.end() && address->is_string() &&
            lower(address->get<std::string>()) == wanted) {
            co_return Found{id->get<bot::DeskUserId>()};
        }
    }
    co_return Found{};
}

asio::awaitable<ApiResult<std::string>> ZendeskDesk::user_name(bot::DeskUserId id) {
    auto out = request(bhttp::verb::get, "/api/v2/users/" + std::to_string(id));
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<std::string>(answer.error());
    auto const user = answer->value("user", Json{});
    if (!user.is_object() || !user.contains("name") || !user["name"].is_string()) {
        co_return failure<std::string>(malformed("the user"));
    }
    co_return user["name"].get<std::string>();
}

asio::awaitable<ApiResult<std::vector<Group>>> ZendeskDesk::load_groups() {
    std::vector<Group> found;
    std::string path = "/api/v2/groups";
    for (int page = 0; page < kMaxGroupPages && !path.empty(); ++page) {
        auto out = request(bhttp::verb::get, path);
        auto answer = co_await api_.send(std::move(out));
        if (!answer) co_return failure<std::vector<Group>>(answer.error());
        for (auto const& item : answer->value("groups", Json::array())) {
            if (!item.is_object() || !item.contains("id") || !item["id"].is_number_integer()) {
                continue;
            }
            if (item.contains("deleted") && item["deleted"] == true) continue;
            auto const name = item.find("name");
            if (name == item.end() || !name->is_string()) continue;
            found.push_back({item["id"].get<bot::GroupId>(), name->get<std::string>()});
        }
        // next_page is an absolute URL; follow it only on this account, credentials go along.
        path.clear();
        auto const next = answer->find("next_page");
        if (next != answer->end() && next->is_string()) {
            auto const url = next->get<std::string>();
            if (url.starts_with(api_.base_url() + "/api/v2/")) {
                path = url.substr(api_.base_url().size());
            }
        }
    }
    co_return found;
}

asio::awaitable<ApiResult<std::vector<Group>>> ZendeskDesk::groups(SteadyClock::duration max_age) {
    {
        std::scoped_lock lock{mutex_};
        if (groups_loaded_ && SteadyClock::now() - *groups_loaded_ < max_age) co_return groups_;
    }
    auto loaded = co_await load_groups();
    if (!loaded) co_return loaded;
    std::scoped_lock lock{mutex_};
    groups_ = *loaded;
    groups_loaded_ = SteadyClock::now();
    co_return loaded;
}

asio::awaitable<ApiResult<std::optional<bot::GroupId>>> ZendeskDesk::group_id(std::string name) {
    using Found = std::optional<bot::GroupId>;
    auto const find = [](std::vector<Group> const& all, std::string const& wanted) -> Found {
        for (auto const& group : all) {
            if (group.name == wanted) return group.id;
        }
        for (auto const& group : all) {
            if (lower(group.name) == lower(wanted)) return group.id;
        }
        return std::nullopt;
    };
    auto all = co_await groups(kGroupTtl);
    if (!all) co_return failure<Found>(all.error());
    if (auto const id = find(*all, name)) co_return id;
    all = co_await groups(kGroupRecheck);
    if (!all) co_return failure<Found>(all.error());
    co_return find(*all, name);
}

asio::awaitable<ApiResult<std::string>> ZendeskDesk::group_name(bot::GroupId id) {
    auto const find = [](std::vector<Group> const& all, bot::GroupId wanted) {
        return std::find_if(all.begin(), all.end(), [&](Group const& g) { return g.id == wanted; });
    };
    auto all = co_await groups(kGroupTtl);
    if (!all) co_return failure<std::string>(all.error());
    auto found = find(*all, id);
    if (found == all->end()) {
        all = co_await groups(kGroupRecheck);
        if (!all) co_return failure<std::string>(all.error());
        found = find(*all, id);
    }
    if (found == all->end()) {
        co_return failure<std::string>(
            bot::api_error(Kind::not_found, "no group " + std::to_string(id)));
    }
    co_return found->name;
}

asio::awaitable<ApiResult<std::vector<std::string>>> ZendeskDesk::group_names() {
    auto all = co_await groups(kGroupTtl);
    if (!all) co_return failure<std::vector<std::string>>(all.error());
    std::vector<std::string> names;
    for (auto const& group : *all) names.push_back(group.name);
    co_return names;
}

asio::awaitable<ApiResult<std::string>> ZendeskDesk::upload(std::string filename,
                                                            std::string content_type,
                                                            std::string bytes) {
    auto out = request(bhttp::verb::post, "/api/v2/uploads?filename=" + encoded(filename));
    out.body = std::move(bytes);
    out.content_type = content_type.empty() ? "application/octet-stream" : std::move(content_type);
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<std::string>(answer.error());
    auto const upload = answer->value("upload", Json{});
    if (!upload.is_object() || !upload.contains("token") || !upload["token"].is_string()) {
        co_return failure<std::string>(malformed("the upload token"));
    }
    co_return upload["token"].get<std::string>();
}

}  // namespace

std::unique_ptr<bot::TicketDesk> make_zendesk_desk(http::HttpClient& client,
                                                   std::string zendesk_url, ZendeskAuth auth) {
    return std::make_unique<ZendeskDesk>(client, std::move(zendesk_url), auth);
}

}  // namespace tb::zendesk
