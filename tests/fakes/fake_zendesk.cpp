#include "tests/fakes/fake_zendesk.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <boost/beast/core/detail/base64.hpp>

#include "tests/fakes/fake_zendesk_state.hpp"
#include "tests/fakes/spec_checker.hpp"

namespace tb::fakes {

using namespace zendesk_detail;
using namespace std::chrono_literals;

namespace {

constexpr int kUnlimitedReport = 2500;  // what X-Rate-Limit says when no limit is set

}  // namespace

Response FakeZendesk::State::dispatch(Route const& route, Request const& req) {
    auto const& s = route.segments;
    auto const& m = route.method;
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) body = json::object();
    if (s.empty()) return reply(http::status::not_found, invalid_endpoint);
    if (s[0] == "tickets" && s.size() == 1) {
        if (m == "POST") return create_idempotent(req, body);
        json found = json::array();
        auto const external = route.query.find("external_id");
        for (auto const& [id, t] : tickets) {
            if (external == route.query.end() || t.external_id == external->second) {
                found.push_back(to_json(t));
            }
        }
        return reply(http::status::ok, {{"tickets", found},
                                        {"next_page", nullptr},
                                        {"previous_page", nullptr},
                                        {"count", found.size()}});
    }
    if (s[0] == "tickets" && s.size() == 2 && s[1] == "show_many") {
        json found = json::array();
        std::istringstream ids{route.query.count("ids") ? route.query.at("ids") : ""};
        for (std::string part; std::getline(ids, part, ',');) {
            auto const id = parse_id(part);
            if (id && tickets.count(*id)) found.push_back(to_json(tickets.at(*id)));
        }
        return reply(http::status::ok, {{"tickets", found}});
    }
    if (s[0] == "tickets" && (s.size() == 2 || (s.size() == 3 && s[2] == "comments"))) {
        auto const id = parse_id(s[1]);
        auto const it = id ? tickets.find(*id) : tickets.end();
        if (it == tickets.end()) return not_found();
        if (s.size() == 3) return list_comments(it->second, route);
        if (m == "PUT") return update_ticket(it->second, body);
        return reply(http::status::ok, {{"ticket", to_json(it->second)}});
    }
    if (s[0] == "search" && s.size() == 1 && m == "GET") return search(route);
    if (s[0] == "users") return users_api(route, body);
    if (s[0] == "groups") return groups_api(route);
    if (s[0] == "uploads" && s.size() == 1) return upload(route, req);
    if (s[0] == "webhooks") return webhooks_api(route, body);
    if (s.size() == 3 && s[0] == "incremental" && s[1] == "tickets" && s[2] == "cursor") {
        return incremental(route);
    }
    return reply(http::status::not_found, invalid_endpoint);
}

Response FakeZendesk::State::answer_violations(std::vector<std::string> const& found) const {
    auto const has = [&](std::string_view word) {
        return std::any_of(found.begin(), found.end(),
                           [&](auto const& v) { return v.find(word) != std::string::npos; });
    };
    if (has("unknown Zendesk endpoint") || has("not allowed on")) {
        return reply(http::status::not_found, invalid_endpoint);
    }
    if (has("lacks required property 'comment'")) {
        return reply(http::status::unprocessable_entity,
                     record_invalid("description", "Description: cannot be blank", "BlankValue"));
    }
    if (has("is not one of") || has("must be") || has("longer than")) {
        return reply(http::status::unprocessable_entity,
                     record_invalid("base", found.front(), "InvalidValue"));
    }
    auto const missing = has("missing required") || has("lacks required") || has("needs the") ||
                         has("body is required");
    return reply(http::status::bad_request,
                 error(missing ? "ParameterMissing" : "BadRequest", found.front()));
}

FakeZendesk::FakeZendesk(std::optional<TlsIdentity> tls) : state_{std::make_unique<State>()} {
    server_ = std::make_unique<FakeHttpServer>([this](Request const& req) { return handle(req); },
                                               std::move(tls));
    state_->base_url = server_->base_url();
}

FakeZendesk::~FakeZendesk() {
    server_.reset();  // no handler may run once the state is gone
}

std::string FakeZendesk::base_url() const { return server_->base_url(); }

FakeHttpServer& FakeZendesk::server() { return *server_; }

Response FakeZendesk::handle(Request const& req) {
    auto const violations = SpecChecker::zendesk().check(req);
    std::lock_guard lock{state_->mutex};
    auto& st = *state_;
    st.violations.insert(st.violations.end(), violations.begin(), violations.end());
    auto const at = st.now();
    while (!st.recent.empty() && st.recent.front() <= at - 60s) st.recent.pop_front();
    auto const limit = st.per_minute > 0 ? st.per_minute : kUnlimitedReport;

    auto const auth_bad = std::any_of(violations.begin(), violations.end(), [](auto const& v) {
        return v.find("Authorization") != std::string::npos ||
               v.find("Basic ") != std::string::npos || v.find("Bearer") != std::string::npos;
    });
    auto const route = parse_route(req);
    Response res;
    if (auth_bad || (st.expected_auth && req[http::field::authorization] != *st.expected_auth)) {
        res = st.reply(http::status::unauthorized, st.unauthenticated);
    } else if (st.per_minute > 0 && static_cast<int>(st.recent.size()) >= st.per_minute) {
        ++st.answered_429;
        res = st.rate_limited(std::chrono::ceil<std::chrono::seconds>(st.recent.front() + 60s - at),
                              "Number of allowed API requests per minute exceeded");
    } else {
        st.recent.push_back(at);
        res = !violations.empty() ? st.answer_violations(violations)
              : route             ? st.dispatch(*route, req)
                                  : st.reply(http::status::not_found, st.invalid_endpoint);
    }
    res.set("X-Rate-Limit", std::to_string(limit));
    res.set("X-Rate-Limit-Remaining",
            std::to_string(std::max(0, limit - static_cast<int>(st.recent.size()))));
    return res;
}

void FakeZendesk::expect_basic(std::string email, std::string api_token) {
    auto const credentials = email + "/token:" + api_token;
    std::string encoded(boost::beast::detail::base64::encoded_size(credentials.size()), '\0');
    encoded.resize(boost::beast::detail::base64::encode(encoded.data(), credentials.data(),
                                                        credentials.size()));
    std::lock_guard lock{state_->mutex};
    state_->expected_auth = "Basic " + encoded;
    state_->api_user = state_->find_user_by_email(email);
    if (!state_->api_user) state_->api_user = state_->create_user("API Admin", email, "admin");
}

void FakeZendesk::expect_bearer(std::string token) {
    std::lock_guard lock{state_->mutex};
    state_->expected_auth = "Bearer " + token;
}

void FakeZendesk::set_requests_per_minute(int n) {
    std::lock_guard lock{state_->mutex};
    state_->per_minute = n;
}

void FakeZendesk::set_clock(Clock now) {
    std::lock_guard lock{state_->mutex};
    state_->now = std::move(now);
}

std::int64_t FakeZendesk::add_user(std::string name, std::string email, std::string role) {
    std::lock_guard lock{state_->mutex};
    return state_->create_user(std::move(name), std::move(email), std::move(role));
}

void FakeZendesk::number_tickets_after(std::int64_t last) {
    std::lock_guard lock{state_->mutex};
    state_->next_ticket = std::max(state_->next_ticket, last + 1);
}

std::int64_t FakeZendesk::add_group(std::string name) {
    std::lock_guard lock{state_->mutex};
    auto const id = state_->next_group++;
    state_->groups[id] = std::move(name);
    return id;
}

void FakeZendesk::agent_update(std::int64_t ticket_id, nlohmann::json const& fields,
                               std::optional<nlohmann::json> const& comment) {
    std::lock_guard lock{state_->mutex};
    auto const it = state_->tickets.find(ticket_id);
    if (it == state_->tickets.end()) {
        throw std::invalid_argument{"agent_update: no ticket " + std::to_string(ticket_id)};
    }
    auto updated = it->second;
    json events = json::array();
    if (auto error = state_->apply_fields(updated, fields, events)) {
        throw std::invalid_argument{"agent_update: " + error->body()};
    }
    if (comment) {
        state_->add_comment(updated, *comment, false,
                            updated.assignee_id ? updated.assignee_id : state_->api_user);
    }
    state_->touch(updated);
    it->second = std::move(updated);
}

std::vector<ZendeskTicket> FakeZendesk::tickets() const {
    std::lock_guard lock{state_->mutex};
    std::vector<ZendeskTicket> out;
    for (auto const& [id, t] : state_->tickets) out.push_back(t);
    return out;
}

std::optional<ZendeskTicket> FakeZendesk::ticket(std::int64_t id) const {
    std::lock_guard lock{state_->mutex};
    auto const it = state_->tickets.find(id);
    if (it == state_->tickets.end()) return std::nullopt;
    return it->second;
}

std::vector<ZendeskUser> FakeZendesk::users() const {
    std::lock_guard lock{state_->mutex};
    std::vector<ZendeskUser> out;
    for (auto const& [id, u] : state_->users) out.push_back(u);
    return out;
}

nlohmann::json FakeZendesk::webhooks() const {
    std::lock_guard lock{state_->mutex};
    json out = json::array();
    for (auto const& [id, w] : state_->webhooks) {
        auto item = w;
        item["signing_secret"] = {{"algorithm", "sha256"}, {"secret", state_->webhook_secrets[id]}};
        out.push_back(item);
    }
    return out;
}

std::vector<Request> FakeZendesk::requests() const { return server_->requests(); }

std::vector<std::string> FakeZendesk::violations() const {
    std::lock_guard lock{state_->mutex};
    return state_->violations;
}

std::size_t FakeZendesk::rate_limited_count() const {
    std::lock_guard lock{state_->mutex};
    return state_->answered_429;
}

std::size_t FakeZendesk::count_creates() const {
    std::lock_guard lock{state_->mutex};
    return state_->creates;
}

}  // namespace tb::fakes
