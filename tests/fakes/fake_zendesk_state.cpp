#include "tests/fakes/fake_zendesk_state.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <boost/url.hpp>

namespace tb::fakes {

namespace zendesk_detail {

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

}  // namespace zendesk_detail

using namespace zendesk_detail;
using namespace std::chrono_literals;

Response FakeZendesk::State::reply(http::status status, json const& body) const {
    Response res{status, 11};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = body.dump();
    return res;
}

json FakeZendesk::State::error(std::string code, std::string description) {
    return {{"error", std::move(code)}, {"description", std::move(description)}};
}

json FakeZendesk::State::record_invalid(std::string const& field, std::string description,
                                        std::string code) {
    return {
        {"error", "RecordInvalid"},
        {"description", "Record validation errors"},
        {"details",
         {{field,
           json::array({{{"description", std::move(description)}, {"error", std::move(code)}}})}}}};
}

Response FakeZendesk::State::not_found() const {
    return reply(http::status::not_found, error("RecordNotFound", "Not found"));
}

std::string FakeZendesk::State::token(std::size_t length) {
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out.push_back(kChars[rng() % (sizeof kChars - 1)]);
    return out;
}

// Every change moves updated_at forward by at least a second, so safe_update sees it.
void FakeZendesk::State::touch(ZendeskTicket& t) {
    auto stamp = iso8601(now());
    if (!t.updated_at.empty() && stamp <= t.updated_at) {
        std::tm tm{};
        std::istringstream in{t.updated_at};
        in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
        stamp = iso8601(std::chrono::system_clock::from_time_t(timegm(&tm)) + 1s);
    }
    t.updated_at = stamp;
}

json FakeZendesk::State::to_json(ZendeskUser const& u) const {
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

json FakeZendesk::State::to_json(ZendeskTicket const& t) const {
    std::tm tm{};
    std::istringstream in{t.updated_at};
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    json out = {{"id", t.id},
                {"url", base_url + "/api/v2/tickets/" + std::to_string(t.id) + ".json"},
                {"external_id", nullable(t.external_id)},
                {"via", via_json(t)},
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
    if (t.followup_source_id) out["via_followup_source_id"] = *t.followup_source_id;
    // Zendesk shows a ticket's follow-ups once it is closed.
    if (t.status == "closed") {
        json followups = json::array();
        for (auto const& [id, other] : tickets) {
            if (other.followup_source_id == t.id) followups.push_back(id);
        }
        out["followup_ids"] = followups;
    }
    return out;
}

// Zendesk's via object; a follow-up names its source as in the Via object reference.
json FakeZendesk::State::via_json(ZendeskTicket const& t) const {
    json via = {{"channel", "api"}};
    if (!t.followup_source_id) return via;
    auto const source = tickets.find(*t.followup_source_id);
    json from = {{"ticket_id", *t.followup_source_id}};
    if (source != tickets.end()) from["subject"] = source->second.subject;
    via["source"] = {{"from", from}, {"to", json::object()}, {"rel", "follow_up"}};
    return via;
}

json FakeZendesk::State::to_json(ZendeskComment const& c) const {
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

std::optional<std::int64_t> FakeZendesk::State::find_user_by_email(std::string const& email) const {
    for (auto const& [id, u] : users) {
        if (!email.empty() && u.email == email) return id;
    }
    return std::nullopt;
}

std::int64_t FakeZendesk::State::create_user(std::string name, std::string email,
                                             std::string role) {
    auto const id = next_user++;
    users[id] = ZendeskUser{id,           std::move(name), std::move(email), std::move(role),
                            std::nullopt, iso8601(now())};
    return id;
}

Response FakeZendesk::State::rate_limited(std::chrono::seconds retry_after,
                                          std::string description) const {
    auto res = reply(http::status::too_many_requests, error("APIRateLimitExceeded", description));
    res.set(http::field::retry_after,
            std::to_string(std::max<std::int64_t>(1, retry_after.count())));
    return res;
}

}  // namespace tb::fakes
