// Users, groups, uploads and webhooks of FakeZendesk.

#include <algorithm>

#include "tests/fakes/fake_zendesk_state.hpp"

namespace tb::fakes {

using namespace zendesk_detail;
using namespace std::chrono_literals;

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

Response FakeZendesk::State::groups_api(Route const& route) const {
    auto const& s = route.segments;
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

}  // namespace tb::fakes
