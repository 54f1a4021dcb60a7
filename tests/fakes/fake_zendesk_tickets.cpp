// Tickets of FakeZendesk: create (with Idempotency-Key), update, comments, incremental export.

#include <algorithm>

#include "tests/fakes/fake_zendesk_state.hpp"

namespace tb::fakes {

using namespace zendesk_detail;
using namespace std::chrono_literals;

namespace {

constexpr auto kIdempotencyWindow = std::chrono::hours{2};
constexpr int kTicketUpdatesPer10Min = 30;

}  // namespace

// Applies the comment part of a create or update; returns the Comment audit event.
json FakeZendesk::State::add_comment(ZendeskTicket& t, json const& in, bool via_api,
                                     std::optional<std::int64_t> default_author) {
    ZendeskComment c;
    c.id = next_comment++;
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
std::optional<Response> FakeZendesk::State::apply_fields(ZendeskTicket& t, json const& in,
                                                         json& events) {
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
        slot = in[field].is_string() ? std::optional{in[field].get<std::string>()} : std::nullopt;
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

bool FakeZendesk::State::over_ticket_limit(std::int64_t id, TimePoint at) {
    auto& q = ticket_updates[id];
    while (!q.empty() && q.front() <= at - 10min) q.pop_front();
    if (static_cast<int>(q.size()) >= kTicketUpdatesPer10Min) return true;
    q.push_back(at);
    return false;
}

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
    if (t.status == "solved" && !t.assignee_id) {
        return reply(http::status::unprocessable_entity, solve_needs_assignee);
    }
    if (in.contains("via_followup_source_id")) {
        // "The parameter only works with closed tickets. It has no effect with other tickets."
        auto const source = opt_id(in["via_followup_source_id"]);
        auto const it = source ? tickets.find(*source) : tickets.end();
        if (it != tickets.end() && it->second.status == "closed") {
            t.followup_source_id = source;
        } else {
            violations.push_back("POST /api/v2/tickets: via_followup_source_id " +
                                 in["via_followup_source_id"].dump() +
                                 " is not a closed ticket (Zendesk ignores it)");
        }
    }
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
    if (in.contains("status") && updated.status == "solved" && !updated.assignee_id) {
        return reply(http::status::unprocessable_entity, solve_needs_assignee);
    }
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

}  // namespace tb::fakes
