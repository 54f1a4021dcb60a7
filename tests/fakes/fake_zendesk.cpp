#include "tests/fakes/fake_zendesk.hpp"

#include <algorithm>
#include <ctime>
#include <deque>
#include <fstream>
#include <iomanip>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/url.hpp>

#include "tests/fakes/spec_checker.hpp"

namespace tb::fakes {

namespace {

using json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;
using namespace std::chrono_literals;

constexpr auto kIdempotencyWindow = std::chrono::hours{2};
constexpr int kTicketUpdatesPer10Min = 30;
constexpr int kUnlimitedReport = 2500;  // what X-Rate-Limit says when no limit is set

json load_sample(std::string const& name) {
    std::ifstream in{std::string{TB_SPECS_DIR} + "/zendesk/samples/api/errors/" + name};
    if (!in) throw std::runtime_error{"FakeZendesk: missing error sample " + name};
    return json::parse(in);
}

std::string iso8601(TimePoint t) {
    auto const secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

template <class T>
json nullable(std::optional<T> const& v) {
    return v ? json(*v) : json(nullptr);
}

std::optional<std::int64_t> opt_id(json const& v) {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return std::nullopt;
}

std::string strip_html(std::string const& html) {
    std::string out;
    bool in_tag = false;
    for (char c : html) {
        if (c == '<')
            in_tag = true;
        else if (c == '>')
            in_tag = false;
        else if (!in_tag)
            out.push_back(c);
    }
    return out;
}

struct Route {
    std::string method;
    std::vector<std::string> segments;  // after /api/v2
    std::map<std::string, std::string> query;
};

std::optional<Route> parse_route(Request const& req) {
    auto const url = boost::urls::parse_origin_form(req.target());
    if (!url) return std::nullopt;
    Route route{std::string{req.method_string()}, {}, {}};
    for (auto const& seg : url->segments()) route.segments.push_back(seg);
    if (route.segments.size() < 2 || route.segments[0] != "api" || route.segments[1] != "v2") {
        return std::nullopt;
    }
    route.segments.erase(route.segments.begin(), route.segments.begin() + 2);
    if (!route.segments.empty() && route.segments.back().ends_with(".json")) {
        route.segments.back().resize(route.segments.back().size() - 5);
    }
    for (auto const& p : url->params()) route.query.emplace(p.key, p.value);
    return route;
}

bool lower_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::optional<std::int64_t> parse_id(std::string const& s) {
    if (s.empty() ||
        !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return std::nullopt;
    }
    return std::stoll(s);
}

}  // namespace

struct FakeZendesk::State {
    mutable std::mutex mutex;
    FakeZendesk::Clock now = [] { return std::chrono::system_clock::now(); };
    std::string base_url;
    std::optional<std::string> expected_auth;
    std::optional<std::int64_t> api_user;
    int per_minute = 0;
    std::deque<TimePoint> recent;  // accepted requests in the last minute
    std::map<std::int64_t, std::deque<TimePoint>> ticket_updates;

    std::map<std::int64_t, ZendeskTicket> tickets;
    std::map<std::int64_t, ZendeskUser> users;
    std::map<std::int64_t, std::string> groups;
    std::map<std::string, json> uploads;  // token -> attachments
    std::map<std::string, json> webhooks;
    std::map<std::string, std::string> webhook_secrets;
    struct Stored {
        json body;
        Response response;
        TimePoint at;
    };
    std::map<std::string, Stored> idempotency;
    std::vector<std::string> violations;
    std::size_t creates = 0;
    std::int64_t next_ticket = 1, next_user = 10001, next_group = 20001, next_other = 30001;
    std::mt19937_64 rng{std::random_device{}()};

    json const closed_ticket = load_sample("422.RecordInvalid.closed_ticket.json");
    json const unauthenticated = load_sample("401.couldnt_authenticate.json");
    json const invalid_endpoint = load_sample("404.InvalidEndpoint.json");
    json const name_too_short = load_sample("422.RecordInvalid.user_name_too_short.json");

    Response reply(http::status status, json const& body) const {
        Response res{status, 11};
        res.set(http::field::content_type, "application/json; charset=utf-8");
        res.body() = body.dump();
        return res;
    }
    static json error(std::string code, std::string description) {
        return {{"error", std::move(code)}, {"description", std::move(description)}};
    }
    static json record_invalid(std::string const& field, std::string description,
                               std::string code) {
        return {{"error", "RecordInvalid"},
                {"description", "Record validation errors"},
                {"details",
                 {{field, json::array({{{"description", std::move(description)},
                                        {"error", std::move(code)}}})}}}};
    }
    Response not_found() const {
        return reply(http::status::not_found, error("RecordNotFound", "Not found"));
    }

    std::string token(std::size_t length) {
        static constexpr char kChars[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        std::string out;
        for (std::size_t i = 0; i < length; ++i) out.push_back(kChars[rng() % (sizeof kChars - 1)]);
        return out;
    }

    // Every change moves updated_at forward by at least a second, so safe_update sees it.
    void touch(ZendeskTicket& t) {
        auto stamp = iso8601(now());
        if (!t.updated_at.empty() && stamp <= t.updated_at) {
            std::tm tm{};
            std::istringstream in{t.updated_at};
            in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
            stamp = iso8601(std::chrono::system_clock::from_time_t(timegm(&tm)) + 1s);
        }
        t.updated_at = stamp;
    }

    json to_json(ZendeskUser const& u) const {
        return {{"id", u.id},
                {"url", base_url + "/api/v2/users/" + std::to_string(u.id) + ".json"},
                {"name", u.name},
                {"email", u.email},
                {"role", u.role},
                {"external_id", nullable(u.external_id)},
                {"active", true},
                {"verified", true},
                {"created_at", u.created_at},
                {"updated_at", u.created_at}};
    }

    json to_json(ZendeskTicket const& t) const {
        std::tm tm{};
        std::istringstream in{t.updated_at};
        in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
        return {{"id", t.id},
                {"url", base_url + "/api/v2/tickets/" + std::to_string(t.id) + ".json"},
                {"external_id", nullable(t.external_id)},
                {"via", {{"channel", "api"}}},
                {"created_at", t.created_at},
                {"updated_at", t.updated_at},
                {"generated_timestamp", static_cast<std::int64_t>(timegm(&tm))},
                {"type", nullable(t.type)},
                {"subject", t.subject},
                {"raw_subject", t.subject},
                {"description", t.description},
                {"priority", nullable(t.priority)},
                {"status", t.status},
                {"recipient", nullptr},
                {"requester_id", nullable(t.requester_id)},
                {"submitter_id", nullable(t.submitter_id)},
                {"assignee_id", nullable(t.assignee_id)},
                {"organization_id", nullptr},
                {"group_id", nullable(t.group_id)},
                {"collaborator_ids", json::array()},
                {"follower_ids", json::array()},
                {"email_cc_ids", json::array()},
                {"has_incidents", false},
                {"is_public", !t.comments.empty() && t.comments.front().is_public},
                {"due_at", nullptr},
                {"tags", t.tags},
                {"custom_fields", json::array()},
                {"allow_attachments", true}};
    }

    json to_json(ZendeskComment const& c) const {
        return {{"id", c.id},
                {"type", "Comment"},
                {"author_id", nullable(c.author_id)},
                {"body", c.body},
                {"html_body", c.html_body.empty() ? "<p>" + c.body + "</p>" : c.html_body},
                {"plain_body", c.body},
                {"public", c.is_public},
                {"attachments", c.attachments},
                {"audit_id", c.id},
                {"via", {{"channel", c.via_api ? "api" : "web"}}},
                {"created_at", c.created_at}};
    }

    std::optional<std::int64_t> find_user_by_email(std::string const& email) const {
        for (auto const& [id, u] : users) {
            if (!email.empty() && u.email == email) return id;
        }
        return std::nullopt;
    }

    std::int64_t create_user(std::string name, std::string email, std::string role) {
        auto const id = next_user++;
        users[id] = ZendeskUser{id,           std::move(name), std::move(email), std::move(role),
                                std::nullopt, iso8601(now())};
        return id;
    }

    // Applies the comment part of a create or update; returns the Comment audit event.
    json add_comment(ZendeskTicket& t, json const& in, bool via_api,
                     std::optional<std::int64_t> default_author) {
        ZendeskComment c;
        c.id = next_other++;
        c.html_body = in.value("html_body", "");
        c.body = in.contains("body") ? in["body"].get<std::string>() : strip_html(c.html_body);
        c.is_public = in.value("public", true);
        c.author_id = in.contains("author_id") ? opt_id(in["author_id"]) : default_author;
        for (auto const& tok : in.value("uploads", json::array())) {
            c.uploads.push_back(tok.get<std::string>());
            if (auto const it = uploads.find(c.uploads.back()); it != uploads.end()) {
                for (auto const& a : it->second) c.attachments.push_back(a);
            }
        }
        c.created_at = iso8601(now());
        c.via_api = via_api;
        if (t.comments.empty()) t.description = c.body;
        t.comments.push_back(c);
        return {{"id", c.id},
                {"type", "Comment"},
                {"body", c.body},
                {"public", c.is_public},
                {"author_id", nullable(c.author_id)}};
    }

    // Applies ticket fields; returns an error response if a reference is invalid.
    std::optional<Response> apply_fields(ZendeskTicket& t, json const& in, json& events) {
        auto change = [&](char const* field, json before, json after) {
            if (before != after) {
                events.push_back({{"id", next_other++},
                                  {"type", "Change"},
                                  {"field_name", field},
                                  {"value", after},
                                  {"previous_value", before}});
            }
        };
        if (in.contains("group_id") && !in["group_id"].is_null() &&
            !groups.count(in["group_id"].get<std::int64_t>())) {
            return reply(http::status::unprocessable_entity,
                         record_invalid("group", "Group: is invalid", "InvalidValue"));
        }
        if (in.contains("assignee_id") && !in["assignee_id"].is_null()) {
            auto const it = users.find(in["assignee_id"].get<std::int64_t>());
            if (it == users.end() || it->second.role == "end-user") {
                return reply(http::status::unprocessable_entity,
                             record_invalid("assignee", "Assignee: is invalid", "InvalidValue"));
            }
        }
        if (in.contains("subject")) {
            change("subject", t.subject, in["subject"]);
            t.subject = in["subject"].get<std::string>();
        }
        for (auto const* field : {"priority", "type"}) {
            if (!in.contains(field)) continue;
            auto& slot = std::string_view{field} == "priority" ? t.priority : t.type;
            change(field, nullable(slot), in[field]);
            slot =
                in[field].is_string() ? std::optional{in[field].get<std::string>()} : std::nullopt;
        }
        for (auto const* field : {"group_id", "assignee_id"}) {
            if (!in.contains(field)) continue;
            auto& slot = std::string_view{field} == "group_id" ? t.group_id : t.assignee_id;
            change(field, nullable(slot), in[field]);
            slot = opt_id(in[field]);
        }
        if (in.contains("external_id")) {
            t.external_id = in["external_id"].is_string()
                                ? std::optional{in["external_id"].get<std::string>()}
                                : std::nullopt;
        }
        auto tags = t.tags;
        if (in.contains("tags")) tags = in["tags"].get<std::vector<std::string>>();
        for (auto const& tag : in.value("additional_tags", json::array())) {
            if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
        }
        for (auto const& tag : in.value("remove_tags", json::array())) {
            tags.erase(std::remove(tags.begin(), tags.end(), tag.get<std::string>()), tags.end());
        }
        change("tags", t.tags, tags);
        t.tags = tags;
        auto status = in.value("status", t.status);
        if (status == "new" && t.assignee_id) status = "open";  // assigned tickets are open
        change("status", t.status, status);
        t.status = status;
        return std::nullopt;
    }

    bool over_ticket_limit(std::int64_t id, TimePoint at) {
        auto& q = ticket_updates[id];
        while (!q.empty() && q.front() <= at - 10min) q.pop_front();
        if (static_cast<int>(q.size()) >= kTicketUpdatesPer10Min) return true;
        q.push_back(at);
        return false;
    }

    Response rate_limited(std::chrono::seconds retry_after, std::string description) const {
        auto res =
            reply(http::status::too_many_requests, error("APIRateLimitExceeded", description));
        res.set(http::field::retry_after,
                std::to_string(std::max<std::int64_t>(1, retry_after.count())));
        return res;
    }

    Response create_ticket(json const& body);
    Response update_ticket(ZendeskTicket& t, json const& body);
    Response list_comments(ZendeskTicket const& t, Route const& route) const;
    Response incremental(Route const& route) const;
    Response users_api(Route const& route, json const& body);
    Response webhooks_api(Route const& route, json const& body);
    Response upload(Route const& route, Request const& req);
    Response create_idempotent(Request const& req, json const& body);
    Response dispatch(Route const& route, Request const& req);
    Response answer_violations(std::vector<std::string> const& violations) const;
};

Response FakeZendesk::State::create_ticket(json const& body) {
    auto const& in = body.at("ticket");
    ZendeskTicket t;
    t.submitter_id = in.contains("submitter_id") ? opt_id(in["submitter_id"]) : api_user;
    if (in.contains("requester_id")) {
        t.requester_id = opt_id(in["requester_id"]);
        if (!t.requester_id || !users.count(*t.requester_id)) {
            return reply(http::status::unprocessable_entity,
                         record_invalid("requester", "Requester: is invalid", "InvalidValue"));
        }
    } else if (in.contains("requester") && in["requester"].is_object()) {
        auto const email = in["requester"].value("email", "");
        auto const existing = find_user_by_email(email);
        t.requester_id = existing
                             ? *existing
                             : create_user(in["requester"].value("name", email), email, "end-user");
    } else {
        t.requester_id = t.submitter_id;
    }
    t.created_at = iso8601(now());
    t.updated_at = t.created_at;
    json events = json::array();
    if (auto error = apply_fields(t, in, events)) return *error;
    events.push_back(add_comment(t, in.at("comment"), true, t.submitter_id));
    if (t.subject.empty()) t.subject = t.description.substr(0, 80);
    t.id = next_ticket++;
    tickets[t.id] = t;
    ++creates;
    auto res = reply(http::status::created, {{"ticket", to_json(t)},
                                             {"audit",
                                              {{"id", next_other++},
                                               {"ticket_id", t.id},
                                               {"created_at", t.created_at},
                                               {"author_id", nullable(t.submitter_id)},
                                               {"events", events}}}});
    res.set(http::field::location, base_url + "/api/v2/tickets/" + std::to_string(t.id) + ".json");
    return res;
}

Response FakeZendesk::State::update_ticket(ZendeskTicket& t, json const& body) {
    auto const& in = body.at("ticket");
    if (t.status == "closed") return reply(http::status::unprocessable_entity, closed_ticket);
    if (in.value("safe_update", false) && in.value("updated_stamp", "") != t.updated_at) {
        return reply(http::status::conflict,
                     error("UpdateConflict",
                           "Safe Update prevented the update due to outdated ticket data. "
                           "Please fetch the latest ticket data and try again."));
    }
    if (over_ticket_limit(t.id, now())) {
        return rate_limited(60s, "Number of allowed ticket updates per 10 minutes exceeded");
    }
    auto updated = t;
    json events = json::array();
    if (auto error = apply_fields(updated, in, events)) return *error;
    if (in.contains("comment")) {
        events.push_back(add_comment(updated, in["comment"], true, api_user));
    }
    touch(updated);
    t = std::move(updated);
    return reply(http::status::ok, {{"ticket", to_json(t)},
                                    {"audit",
                                     {{"id", next_other++},
                                      {"ticket_id", t.id},
                                      {"created_at", t.updated_at},
                                      {"author_id", nullable(api_user)},
                                      {"events", events}}}});
}

Response FakeZendesk::State::list_comments(ZendeskTicket const& t, Route const& route) const {
    json comments = json::array();
    auto const paged = route.query.count("page[size]") || route.query.count("page[after]");
    if (!paged) {
        for (auto const& c : t.comments) comments.push_back(to_json(c));
        return reply(http::status::ok, {{"comments", comments},
                                        {"next_page", nullptr},
                                        {"previous_page", nullptr},
                                        {"count", comments.size()}});
    }
    std::size_t size = 100;
    if (auto const it = route.query.find("page[size]"); it != route.query.end()) {
        auto const n = parse_id(it->second);
        if (!n || *n < 1 || *n > 100) {
            return reply(http::status::bad_request,
                         error("InvalidPaginationParameter", "page[size] must be 1..100"));
        }
        size = static_cast<std::size_t>(*n);
    }
    std::size_t start = 0;
    if (auto const it = route.query.find("page[after]"); it != route.query.end()) {
        auto const n = it->second.starts_with("c") ? parse_id(it->second.substr(1)) : std::nullopt;
        if (!n || static_cast<std::size_t>(*n) > t.comments.size()) {
            return reply(http::status::bad_request,
                         error("InvalidPaginationParameter", "page[after] is not a valid cursor"));
        }
        start = static_cast<std::size_t>(*n);
    }
    auto const end = std::min(t.comments.size(), start + size);
    for (auto i = start; i < end; ++i) comments.push_back(to_json(t.comments[i]));
    auto const has_more = end < t.comments.size();
    auto const after = "c" + std::to_string(end);
    auto const next = base_url + "/api/v2/tickets/" + std::to_string(t.id) +
                      "/comments.json?page%5Bafter%5D=" + after +
                      "&page%5Bsize%5D=" + std::to_string(size);
    return reply(
        http::status::ok,
        {{"comments", comments},
         {"meta",
          {{"has_more", has_more},
           {"after_cursor", end > start ? json(after) : json(nullptr)},
           {"before_cursor", end > start ? json("c" + std::to_string(start)) : json(nullptr)}}},
         {"links", {{"next", has_more ? json(next) : json(nullptr)}, {"prev", nullptr}}}});
}

// Cursor "<updated unix seconds>.<ticket id>": tickets strictly after that position follow.
Response FakeZendesk::State::incremental(Route const& route) const {
    std::pair<std::int64_t, std::int64_t> position;
    if (auto const c = route.query.find("cursor"); c != route.query.end()) {
        auto const dot = c->second.find('.');
        auto const ts = parse_id(c->second.substr(0, dot));
        auto const id =
            dot == std::string::npos ? std::nullopt : parse_id(c->second.substr(dot + 1));
        if (!ts || !id) return reply(http::status::bad_request, error("InvalidCursor", c->second));
        position = {*ts, *id};
    } else {
        auto const start =
            parse_id(route.query.count("start_time") ? route.query.at("start_time") : "");
        if (!start) return reply(http::status::bad_request, error("InvalidValue", "start_time"));
        position = {*start, -1};
    }
    std::size_t per_page = 1000;
    if (auto const it = route.query.find("per_page"); it != route.query.end()) {
        if (auto const n = parse_id(it->second); n && *n >= 1 && *n <= 1000) {
            per_page = static_cast<std::size_t>(*n);
        }
    }
    std::vector<std::pair<std::pair<std::int64_t, std::int64_t>, json>> changed;
    for (auto const& [id, t] : tickets) {
        auto j = to_json(t);
        std::pair key{j["generated_timestamp"].get<std::int64_t>(), id};
        if (key > position) changed.emplace_back(key, std::move(j));
    }
    std::sort(changed.begin(), changed.end(),
              [](auto const& a, auto const& b) { return a.first < b.first; });
    json page = json::array();
    auto last = position;
    for (std::size_t i = 0; i < changed.size() && i < per_page; ++i) {
        page.push_back(changed[i].second);
        last = changed[i].first;
    }
    auto const after = std::to_string(std::max<std::int64_t>(last.first, 0)) + "." +
                       std::to_string(std::max<std::int64_t>(last.second, 0));
    return reply(
        http::status::ok,
        {{"tickets", page},
         {"after_cursor", after},
         {"after_url", base_url + "/api/v2/incremental/tickets/cursor.json?cursor=" + after},
         {"before_cursor", nullptr},
         {"before_url", nullptr},
         {"end_of_stream", changed.size() <= per_page}});
}

Response FakeZendesk::State::users_api(Route const& route, json const& body) {
    auto const& s = route.segments;
    auto list = [&](std::vector<ZendeskUser const*> const& found) {
        json users_json = json::array();
        for (auto const* u : found) users_json.push_back(to_json(*u));
        return reply(http::status::ok, {{"users", users_json},
                                        {"next_page", nullptr},
                                        {"previous_page", nullptr},
                                        {"count", found.size()}});
    };
    if (route.method == "GET" && s.size() == 2 && s[1] == "search") {
        std::vector<ZendeskUser const*> found;
        auto query = route.query.count("query") ? route.query.at("query") : "";
        auto const by_email = query.starts_with("email:");
        if (by_email) query = query.substr(6);
        if (query.size() >= 2 && query.front() == '"' && query.back() == '"') {
            query = query.substr(1, query.size() - 2);
        }
        auto const external = route.query.count("external_id") ? route.query.at("external_id") : "";
        for (auto const& [id, u] : users) {
            bool const hit =
                !external.empty()
                    ? u.external_id == external
                    : (lower_equal(u.email, query) ||
                       (!by_email && !query.empty() && u.name.find(query) != std::string::npos));
            if (hit) found.push_back(&u);
        }
        return list(found);
    }
    if (route.method == "GET" && s.size() == 1) {
        std::vector<ZendeskUser const*> all;
        for (auto const& [id, u] : users) all.push_back(&u);
        return list(all);
    }
    if (route.method == "GET" && s.size() == 2 && s[1] == "me") {
        if (api_user) return reply(http::status::ok, {{"user", to_json(users.at(*api_user))}});
        return reply(
            http::status::ok,
            {{"user", {{"id", nullptr}, {"name", "Anonymous user"}, {"role", "end-user"}}}});
    }
    if (route.method == "GET" && s.size() == 2) {
        auto const id = parse_id(s[1]);
        if (!id || !users.count(*id)) return not_found();
        return reply(http::status::ok, {{"user", to_json(users.at(*id))}});
    }
    if (route.method == "POST" &&
        (s.size() == 1 || (s.size() == 2 && s[1] == "create_or_update"))) {
        auto const& in = body.at("user");
        auto const email = in.value("email", "");
        auto const external = in.contains("external_id") && in["external_id"].is_string()
                                  ? std::optional{in["external_id"].get<std::string>()}
                                  : std::nullopt;
        std::optional<std::int64_t> existing = find_user_by_email(email);
        for (auto const& [id, u] : users) {
            if (!existing && external && u.external_id == external) existing = id;
        }
        if (existing && s.size() == 2) {
            auto& u = users.at(*existing);
            if (in.contains("name")) u.name = in["name"].get<std::string>();
            if (!email.empty()) u.email = email;
            if (external) u.external_id = external;
            return reply(http::status::ok, {{"user", to_json(u)}});
        }
        if (existing) {
            return reply(http::status::unprocessable_entity,
                         record_invalid("email",
                                        "Email: " + email +
                                            " is already being used by "
                                            "another user",
                                        "DuplicateValue"));
        }
        if (in.value("name", "").empty()) {
            return reply(http::status::unprocessable_entity, name_too_short);
        }
        auto const id =
            create_user(in["name"].get<std::string>(), email, in.value("role", "end-user"));
        users.at(id).external_id = external;
        return reply(http::status::created, {{"user", to_json(users.at(id))}});
    }
    return reply(http::status::not_found, invalid_endpoint);
}

Response FakeZendesk::State::webhooks_api(Route const& route, json const& body) {
    auto const& s = route.segments;
    if (s.size() == 1 && route.method == "GET") {
        json all = json::array();
        for (auto const& [id, w] : webhooks) all.push_back(w);
        return reply(
            http::status::ok,
            {{"webhooks", all},
             {"meta", {{"has_more", false}, {"after_cursor", nullptr}, {"before_cursor", nullptr}}},
             {"links", {{"next", nullptr}, {"prev", nullptr}}}});
    }
    if (s.size() == 1 && route.method == "POST") {
        auto webhook = body.at("webhook");
        auto const id = "01" + token(24);
        webhook["id"] = id;
        webhook["created_at"] = webhook["updated_at"] = iso8601(now());
        webhook["created_by"] = webhook["updated_by"] = api_user ? std::to_string(*api_user) : "-1";
        if (webhook.contains("authentication")) webhook["authentication"].erase("data");
        webhook.erase("signing_secret");
        webhooks[id] = webhook;
        webhook_secrets[id] = token(43) + "=";
        return reply(http::status::created, {{"webhook", webhook}});
    }
    auto const it = s.size() >= 2 ? webhooks.find(s[1]) : webhooks.end();
    if (it == webhooks.end()) {
        return reply(http::status::not_found, error("RecordNotFound", "Webhook not found"));
    }
    if (s.size() == 3 && s[2] == "signing_secret") {
        if (route.method == "POST") webhook_secrets[it->first] = token(43) + "=";
        return reply(route.method == "POST" ? http::status::created : http::status::ok,
                     {{"signing_secret",
                       {{"algorithm", "sha256"}, {"secret", webhook_secrets[it->first]}}}});
    }
    if (s.size() != 2) return reply(http::status::not_found, invalid_endpoint);
    Response no_content{http::status::no_content, 11};
    if (route.method == "GET") return reply(http::status::ok, {{"webhook", it->second}});
    if (route.method == "DELETE") {
        webhook_secrets.erase(it->first);
        webhooks.erase(it);
        return no_content;
    }
    auto const& in = body.at("webhook");
    if (route.method == "PATCH") {
        it->second.merge_patch(in);
    } else {
        auto const keep = it->second;
        it->second = in;
        for (auto const* key : {"id", "created_at", "created_by"}) it->second[key] = keep[key];
    }
    it->second["id"] = it->first;
    it->second["updated_at"] = iso8601(now());
    return no_content;
}

Response FakeZendesk::State::upload(Route const& route, Request const& req) {
    auto const name = route.query.find("filename");
    if (name == route.query.end() || name->second.empty()) {
        return reply(http::status::bad_request,
                     error("ParameterMissing", "Parameter filename is required"));
    }
    std::string tok = route.query.count("token") ? route.query.at("token") : "";
    if (!tok.empty() && !uploads.count(tok)) return not_found();
    if (tok.empty()) tok = token(25);
    auto const id = next_other++;
    auto const content_url = base_url + "/attachments/token/" + tok + "/?name=" + name->second;
    auto const type = req[http::field::content_type];
    json attachment{{"id", id},
                    {"url", base_url + "/api/v2/attachments/" + std::to_string(id) + ".json"},
                    {"file_name", name->second},
                    {"content_url", content_url},
                    {"mapped_content_url", content_url},
                    {"content_type", type.empty() ? "application/binary" : std::string{type}},
                    {"size", req.body().size()},
                    {"inline", false},
                    {"deleted", false},
                    {"thumbnails", json::array()}};
    auto& all = uploads[tok];
    if (all.is_null()) all = json::array();
    all.push_back(attachment);
    return reply(http::status::created, {{"upload",
                                          {{"token", tok},
                                           {"expires_at", iso8601(now() + 3 * 24h)},
                                           {"attachment", attachment},
                                           {"attachments", all}}}});
}

// Idempotency-Key per the specs README: same key and body replay the stored answer ("hit"), a
// different body is refused, keys are forgotten after about two hours.
Response FakeZendesk::State::create_idempotent(Request const& req, json const& body) {
    auto const key = std::string{req["Idempotency-Key"]};
    if (key.empty()) return create_ticket(body);
    auto const at = now();
    std::erase_if(idempotency,
                  [&](auto const& kv) { return kv.second.at + kIdempotencyWindow <= at; });
    if (auto const it = idempotency.find(key); it != idempotency.end()) {
        if (it->second.body != body) {
            return reply(http::status::bad_request,
                         error("IdempotentRequestError",
                               "Request parameters don't match the given idempotency key"));
        }
        auto res = it->second.response;
        res.set("x-idempotency-lookup", "hit");
        return res;
    }
    auto res = create_ticket(body);
    res.set("x-idempotency-lookup", "miss");
    if (res.result_int() < 300) idempotency[key] = Stored{body, res, at};
    return res;
}

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
    if (s[0] == "users") return users_api(route, body);
    if (s[0] == "groups") {
        json all = json::array();
        auto group_json = [&](std::int64_t id, std::string const& name) {
            return json{{"id", id},
                        {"name", name},
                        {"is_public", true},
                        {"deleted", false},
                        {"default", false},
                        {"created_at", "2024-01-01T00:00:00Z"},
                        {"updated_at", "2024-01-01T00:00:00Z"},
                        {"url", base_url + "/api/v2/groups/" + std::to_string(id) + ".json"}};
        };
        if (s.size() == 2 && s[1] != "assignable") {
            auto const id = parse_id(s[1]);
            if (!id || !groups.count(*id)) return not_found();
            return reply(http::status::ok, {{"group", group_json(*id, groups.at(*id))}});
        }
        for (auto const& [id, name] : groups) all.push_back(group_json(id, name));
        return reply(http::status::ok, {{"groups", all},
                                        {"next_page", nullptr},
                                        {"previous_page", nullptr},
                                        {"count", all.size()}});
    }
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

std::size_t FakeZendesk::count_creates() const {
    std::lock_guard lock{state_->mutex};
    return state_->creates;
}

}  // namespace tb::fakes
