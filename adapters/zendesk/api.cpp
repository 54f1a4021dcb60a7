#include "adapters/zendesk/api.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/http/crypto.hpp"
#include "adapters/zendesk/api_call.hpp"
#include "adapters/zendesk/ticket_history.hpp"
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
// The Search API gives at most 100 results a page and 1,000 a query.
constexpr std::size_t kSearchPerPage = 100;
constexpr int kMaxSearchPages = 10;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Zendesk allows 255 characters; a longer key is replaced by a stable digest of itself.
std::string idempotency_key(std::string key) {
    if (key.size() <= kMaxIdempotencyKey) return key;
    return http::to_hex(http::hmac_sha256("ticketbridge-idempotency", key));
}

using Group = bot::DeskGroup;

std::optional<bot::DeskUser> parse_user(Json const& user) {
    if (!user.is_object()) return std::nullopt;
    auto const id = user.find("id");
    if (id == user.end() || !id->is_number_integer()) return std::nullopt;
    bot::DeskUser out;
    out.id = id->get<bot::DeskUserId>();
    for (auto [key, slot] : {std::pair{"name", &out.name}, std::pair{"email", &out.email},
                             std::pair{"role", &out.role}}) {
        auto const it = user.find(key);
        if (it != user.end() && it->is_string()) *slot = it->get<std::string>();
    }
    return out;
}

// The Search API query for a `list` scope: unsolved tickets (new, open, pending, hold);
// nullopt when the scope lacks the id it needs.
std::optional<std::string> search_query(bot::TicketQuery const& query) {
    std::string out = "type:ticket status<solved";
    if (!query.priority.empty()) out += " priority:" + query.priority;
    using Scope = bot::TicketQuery::Scope;
    switch (query.scope) {
        case Scope::all_open:
            return out;
        case Scope::assigned_to:
            if (!query.assignee) return std::nullopt;
            return out + " assignee:" + std::to_string(*query.assignee);
        case Scope::unassigned:
            return out + " assignee:none";
        case Scope::in_group:
            if (!query.group) return std::nullopt;
            return out + " group:" + std::to_string(*query.group);
    }
    return std::nullopt;
}

class ZendeskDesk final : public bot::TicketDesk {
public:
    ZendeskDesk(http::HttpClient& client, std::string base_url, ZendeskAuth const& auth,
                std::shared_ptr<http::RequestBudget> budget, http::RequestBudget::Lane lane)
        : api_{client, std::move(base_url), authorization_header(auth), std::move(budget), lane} {}

    // bot::TicketDesk
    asio::awaitable<ApiResult<bot::Ticket>> create(bot::NewTicket ticket,
                                                   std::string idempotency_key) override;
    asio::awaitable<ApiResult<std::optional<bot::Ticket>>> find_by_external_id(
        std::string external_id) override;
    asio::awaitable<ApiResult<bot::Ticket>> get(bot::TicketId id) override;
    asio::awaitable<ApiResult<bot::Ticket>> update(bot::TicketId id, bot::TicketChange change,
                                                   std::optional<bot::NewComment> comment) override;
    asio::awaitable<ApiResult<std::optional<bot::DeskUser>>> find_person(
        std::string email) override;
    asio::awaitable<ApiResult<bot::TicketPage>> search(bot::TicketQuery query) override;
    asio::awaitable<ApiResult<std::vector<bot::DeskGroup>>> groups() override;
    asio::awaitable<ApiResult<bot::ChangedTickets>> changed_tickets(bot::ExportPosition from) override {
        co_return co_await read_changed_tickets(api_, std::move(from));
    }
    asio::awaitable<ApiResult<std::vector<bot::DeskComment>>> comments(bot::TicketId id) override {
        co_return co_await read_comments(api_, id);
    }
    asio::awaitable<ApiResult<bot::DeskUser>> person(bot::DeskUserId id) override;
    asio::awaitable<ApiResult<bot::DeskUserId>> self() override;
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
    asio::awaitable<ApiResult<std::vector<Group>>> cached_groups(SteadyClock::duration max_age);
    asio::awaitable<ApiResult<std::vector<Group>>> load_groups();

    ApiCaller api_;
    std::mutex mutex_;  // guards the group cache: calls may run on several executors at once
    std::vector<Group> groups_;
    std::optional<SteadyClock::time_point> groups_loaded_;
    bool groups_loading_ = false;  // one load at a time; the others wait for it
    std::uint64_t groups_loads_ = 0;                // loads finished, to tell waiters theirs ended
    std::optional<bot::ApiError> groups_failure_;  // how the last load failed, if it did
    std::optional<bot::DeskUserId> self_;  // the API user never changes while running
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

asio::awaitable<ApiResult<bot::Ticket>> ZendeskDesk::update(
    bot::TicketId id, bot::TicketChange change, std::optional<bot::NewComment> comment) {
    // A 422 (e.g. solving without an assignee) comes back from read_answer as `rejected` with
    // Zendesk's detail descriptions, or as `closed` for a closed ticket.
    auto out = json_request(bhttp::verb::put, "/api/v2/tickets/" + std::to_string(id),
                            update_body(change, comment));
    co_return co_await ticket_from(std::move(out));
}

asio::awaitable<ApiResult<std::optional<bot::DeskUser>>> ZendeskDesk::find_person(
    std::string email) {
    using Found = std::optional<bot::DeskUser>;
    if (email.empty()) co_return Found{};
    auto out = request(bhttp::verb::get, "/api/v2/users/search?query=" + encoded("email:" + email));
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<Found>(answer.error());
    // Search matches loosely; only the exact address (case aside) is this person.
    auto const wanted = lower(email);
    for (auto const& item : answer->value("users", Json::array())) {
        auto user = parse_user(item);
        if (user && lower(user->email) == wanted) co_return user;
    }
    co_return Found{};
}

asio::awaitable<ApiResult<bot::DeskUserId>> ZendeskDesk::self() {
    {
        std::lock_guard lock{mutex_};
        if (self_) co_return *self_;
    }
    auto out = request(bhttp::verb::get, "/api/v2/users/me");
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<bot::DeskUserId>(answer.error());
    auto const user = parse_user(answer->value("user", Json{}));
    if (!user || user->id == 0) co_return failure<bot::DeskUserId>(malformed("the API user"));
    std::lock_guard lock{mutex_};
    self_ = user->id;
    co_return user->id;
}

asio::awaitable<ApiResult<std::optional<bot::DeskUserId>>> ZendeskDesk::find_user(
    std::string email) {
    using Found = std::optional<bot::DeskUserId>;
    auto person = co_await find_person(std::move(email));
    if (!person) co_return failure<Found>(person.error());
    if (!*person) co_return Found{};
    co_return Found{(*person)->id};
}

asio::awaitable<ApiResult<bot::TicketPage>> ZendeskDesk::search(bot::TicketQuery query) {
    bot::TicketPage found;
    auto const terms = search_query(query);
    if (!terms) {
        co_return failure<bot::TicketPage>(
            bot::api_error(Kind::rejected, "the ticket query names no assignee or group"));
    }
    auto const per_page = std::clamp<std::size_t>(query.limit, 1, kSearchPerPage);
    auto const base = "/api/v2/search?query=" + encoded(*terms) +
                      "&sort_by=created_at&sort_order=asc&per_page=" + std::to_string(per_page);
    for (int page = 1; page <= kMaxSearchPages; ++page) {
        auto target = page == 1 ? base : base + "&page=" + std::to_string(page);
        auto out = request(bhttp::verb::get, std::move(target));
        auto answer = co_await api_.send(std::move(out));
        if (!answer) co_return failure<bot::TicketPage>(answer.error());
        auto const count = answer->find("count");
        if (count == answer->end() || !count->is_number_unsigned()) {
            co_return failure<bot::TicketPage>(malformed("the result count"));
        }
        found.total = count->get<std::size_t>();
        auto const results = answer->value("results", Json::array());
        for (auto const& item : results) {
            if (found.tickets.size() >= query.limit) break;
            if (!item.is_object() || item.value("result_type", "") != "ticket") continue;
            if (auto ticket = parse_ticket(item)) found.tickets.push_back(std::move(*ticket));
        }
        auto const next = answer->find("next_page");
        if (found.tickets.size() >= query.limit || results.empty() || next == answer->end() ||
            !next->is_string()) {
            break;
        }
    }
    co_return found;
}

asio::awaitable<ApiResult<std::vector<bot::DeskGroup>>> ZendeskDesk::groups() {
    co_return co_await cached_groups(kGroupTtl);
}

asio::awaitable<ApiResult<bot::DeskUser>> ZendeskDesk::person(bot::DeskUserId id) {
    auto out = request(bhttp::verb::get, "/api/v2/users/" + std::to_string(id));
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<bot::DeskUser>(answer.error());
    auto user = parse_user(answer->value("user", Json{}));
    if (!user || user->name.empty()) co_return failure<bot::DeskUser>(malformed("the user"));
    co_return std::move(*user);
}

asio::awaitable<ApiResult<std::string>> ZendeskDesk::user_name(bot::DeskUserId id) {
    auto user = co_await person(id);
    if (!user) co_return failure<std::string>(user.error());
    co_return std::move(user->name);
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
        path = api_.path_below(answer->value("next_page", Json{}));
    }
    co_return found;
}

// A burst of new tickets would otherwise each read the groups when the cache is cold or stale.
asio::awaitable<ApiResult<std::vector<Group>>> ZendeskDesk::cached_groups(
    SteadyClock::duration max_age) {
    asio::steady_timer pause{co_await asio::this_coro::executor};
    std::optional<std::uint64_t> waited_for;  // the loads finished when this call began to wait
    while (true) {
        {
            std::scoped_lock lock{mutex_};
            if (groups_loaded_ && SteadyClock::now() - *groups_loaded_ < max_age) co_return groups_;
            // The load it waited for failed: that is its answer too, not a load of its own each.
            if (waited_for && *waited_for != groups_loads_ && groups_failure_) co_return *groups_failure_;
            if (!groups_loading_) {
                groups_loading_ = true;
                break;
            }
            if (!waited_for) waited_for = groups_loads_;
        }
        pause.expires_after(std::chrono::milliseconds{20});
        boost::system::error_code ignored;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    struct Loaded {
        ZendeskDesk& desk;
        ~Loaded() {
            std::scoped_lock lock{desk.mutex_};
            desk.groups_loading_ = false;
        }
    } const done{*this};
    auto loaded = co_await load_groups();
    std::scoped_lock lock{mutex_};  // released before `done` clears the flag
    ++groups_loads_;
    if (!loaded) {
        groups_failure_ = loaded.error();
        co_return loaded;
    }
    groups_failure_.reset();
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
    auto all = co_await cached_groups(kGroupTtl);
    if (!all) co_return failure<Found>(all.error());
    if (auto const id = find(*all, name)) co_return id;
    all = co_await cached_groups(kGroupRecheck);
    if (!all) co_return failure<Found>(all.error());
    co_return find(*all, name);
}

asio::awaitable<ApiResult<std::string>> ZendeskDesk::group_name(bot::GroupId id) {
    auto const find = [](std::vector<Group> const& all, bot::GroupId wanted) {
        return std::find_if(all.begin(), all.end(), [&](Group const& g) { return g.id == wanted; });
    };
    auto all = co_await cached_groups(kGroupTtl);
    if (!all) co_return failure<std::string>(all.error());
    auto found = find(*all, id);
    if (found == all->end()) {
        all = co_await cached_groups(kGroupRecheck);
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
    auto all = co_await cached_groups(kGroupTtl);
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

std::string authorization_header(ZendeskAuth const& auth) {
    if (!auth.oauth_token.empty()) return "Bearer " + auth.oauth_token;
    return "Basic " + http::to_base64(auth.email + "/token:" + auth.api_token);
}

namespace {

std::shared_ptr<http::RequestBudget> budget_of(int requests_per_minute) {
    return requests_per_minute > 0 ? std::make_shared<http::RequestBudget>(requests_per_minute) : nullptr;
}

}  // namespace

std::unique_ptr<bot::TicketDesk> make_zendesk_desk(http::HttpClient& client, std::string zendesk_url,
                                                   ZendeskAuth auth, int requests_per_minute) {
    return std::make_unique<ZendeskDesk>(client, std::move(zendesk_url), auth, budget_of(requests_per_minute),
                                         http::RequestBudget::Lane::bulk);
}

ZendeskDesks make_zendesk_desks(http::HttpClient& client, std::string const& zendesk_url, ZendeskAuth const& auth,
                                int requests_per_minute) {
    auto budget = budget_of(requests_per_minute);
    return {std::make_unique<ZendeskDesk>(client, zendesk_url, auth, budget, http::RequestBudget::Lane::bulk),
            std::make_unique<ZendeskDesk>(client, zendesk_url, auth, budget, http::RequestBudget::Lane::interactive)};
}

}  // namespace tb::zendesk
