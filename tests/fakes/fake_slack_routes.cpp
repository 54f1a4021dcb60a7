#include "tests/fakes/fake_slack_routes.hpp"

#include <algorithm>
#include <exception>

#include "tests/fakes/fake_slack_params.hpp"
#include "tests/fakes/fake_slack_render.hpp"
#include "tests/fakes/spec_checker.hpp"

namespace tb::fakes::slack_detail {
namespace {

using nlohmann::json;

// Slack lets one response_url be used this many times.
constexpr int kResponseUrlUses = 5;

MethodTable const& methods() {
    static MethodTable const table = [] {
        MethodTable t;
        add_chat_methods(t);
        add_read_methods(t);
        add_interaction_methods(t);
        return t;
    }();
    return table;
}

Response reply(Request const& req, http::status status, std::string body,
               std::string_view content_type) {
    Response res{status, req.version()};
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response reply_json(Request const& req, http::status status, json const& body) {
    return reply(req, status, body.dump(), "application/json; charset=utf-8");
}

std::string files_base(Workspace const& ws, Request const& req) {
    if (!ws.base_url.empty()) return ws.base_url;
    std::string_view const host{req[http::field::host]};
    return host.empty() ? "https://files.fake.slack.com" : "http://" + std::string{host};
}

std::string describe(Request const& req) {
    return std::string{req.method_string()} + " " + path_of(req);
}

json invalid_arguments(std::vector<std::string> const& why) {
    auto out = slack_error("invalid_arguments");
    auto messages = json::array();
    for (auto const& text : why) messages.push_back("[ERROR] " + text);
    out["response_metadata"] = {{"messages", std::move(messages)}};
    return out;
}

std::vector<std::string> missing_arguments(MethodSpec const& spec, json const& params) {
    std::vector<std::string> missing;
    for (auto const& name : spec.required) {
        if (str_param(params, name).empty()) missing.push_back(name);
    }
    return missing;
}

// The checker words every token problem with one of these.
bool is_auth_problem(std::string const& violation) {
    return violation.find("token") != std::string::npos ||
           violation.find("Authorization") != std::string::npos;
}

// Everything but the method itself: token, rate limit, arguments. Null when the call may run.
json gatekeep(Workspace& ws, DecodedCall const& call, std::vector<std::string> const& violations,
              std::vector<std::string> const& missing, bot::Instant now,
              std::optional<std::chrono::seconds>& retry_after) {
    if (!call.error.empty()) return slack_error(call.error);
    if (call.token.empty()) return slack_error("not_authed");
    auto const badly_sent = std::any_of(violations.begin(), violations.end(), is_auth_problem);
    if (badly_sent || (!ws.expected_token.empty() && call.token != ws.expected_token)) {
        return slack_error("invalid_auth");
    }
    retry_after = ws.limiter.admit(call.method, str_param(call.params, "channel"), now);
    if (retry_after) {
        ++ws.ratelimited;
        return slack_error("ratelimited");
    }
    if (!violations.empty()) return invalid_arguments(violations);
    if (!missing.empty()) {
        std::vector<std::string> why;
        for (auto const& name : missing) why.push_back("missing required field: " + name);
        return invalid_arguments(why);
    }
    return nullptr;
}

Response api(State& state, Request const& req) {
    auto call = decode_call(req, "/api");
    auto const violations = SpecChecker::slack().check(req, "/api");
    auto const now = state.now();

    std::scoped_lock lock{state.mutex};
    auto& ws = state.ws;
    auto const where = describe(req);
    for (auto const& v : violations) ws.violations.push_back(where + ": " + v);

    auto const found = methods().find(call.method);
    auto status = http::status::ok;
    std::optional<std::chrono::seconds> retry_after;
    json body;
    if (found == methods().end()) {
        status = http::status::not_found;
        body = slack_error("unknown_method");
    } else {
        auto const missing = missing_arguments(found->second, call.params);
        if (violations.empty()) {
            for (auto const& name : missing) {
                ws.violations.push_back(where + ": missing required argument `" + name + "`");
            }
        }
        body = gatekeep(ws, call, violations, missing, now, retry_after);
        if (retry_after) status = http::status::too_many_requests;
        if (body.is_null()) {
            try {
                body = found->second.fn(ws, {call.params, now, files_base(ws, req)});
            } catch (std::exception const& e) {
                ws.violations.push_back(where + ": the fake could not handle it: " + e.what());
                body = slack_error("internal_error");
            }
        }
    }
    ws.calls.push_back(
        {call.method, std::move(call.params), static_cast<int>(status), body.value("error", "")});
    auto res = reply_json(req, status, body);
    if (retry_after) res.set(http::field::retry_after, std::to_string(retry_after->count()));
    return res;
}

// url_private and url_private_download: the bot token as a bearer, or Slack's login page.
Response file(State& state, Request const& req) {
    auto const path = path_of(req);
    std::scoped_lock lock{state.mutex};
    auto& ws = state.ws;
    auto const rest = std::string_view{path}.substr(std::string_view{"/files-pri/"}.size());
    auto const segment = rest.substr(0, rest.find('/'));
    auto const prefix = std::string{kTeamId} + "-";
    auto const file_id = segment.starts_with(prefix) ? segment.substr(prefix.size()) : segment;

    std::string_view const auth{req[http::field::authorization]};
    auto const token = auth.starts_with("Bearer ") ? auth.substr(7) : std::string_view{};
    SlackMessage const* owner = nullptr;
    auto const* found = ws.find_file(file_id, &owner);
    auto status = http::status::ok;
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        status = http::status::method_not_allowed;
    } else if (token.empty() || (!ws.expected_token.empty() && token != ws.expected_token)) {
        status = http::status::found;
    } else if (found == nullptr) {
        status = http::status::not_found;
    }
    ws.calls.push_back(
        {"files-pri", {{"file", file_id}, {"path", path}}, static_cast<int>(status), ""});

    if (status == http::status::found) {
        auto res = reply(req, status, "", "text/html");
        res.set(http::field::location, std::string{kWorkspaceUrl} + "?redir=" + path);
        return res;
    }
    if (status != http::status::ok) return reply(req, status, "", "text/plain");
    auto res = reply(req, status, found->content, found->mimetype);
    if (rest.find("/download/") != std::string_view::npos) {
        res.set(http::field::content_disposition, "attachment; filename=\"" + found->name + "\"");
    }
    return res;
}

Response response_url(State& state, Request const& req) {
    if (req.method() != http::verb::post) {
        return reply(req, http::status::method_not_allowed, "", "text/plain");
    }
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return reply(req, http::status::bad_request, "invalid_payload", "text/plain");
    }
    auto const path = path_of(req);
    std::scoped_lock lock{state.mutex};
    auto& ws = state.ws;
    if (++ws.response_url_uses[path] > kResponseUrlUses) {
        ws.violations.push_back(describe(req) + ": response_url used more than 5 times");
        return reply(req, http::status::not_found, "used_url", "text/plain");
    }
    ws.response_posts.push_back({path, std::move(body), state.now()});
    return reply(req, http::status::ok, "ok", "text/plain");
}

}  // namespace

Response route(State& state, Request const& req) {
    auto const path = path_of(req);
    if (path.starts_with("/api/")) return api(state, req);
    if (path.starts_with("/files-pri/")) return file(state, req);
    if (path.starts_with("/commands/") || path.starts_with("/actions/")) {
        return response_url(state, req);
    }
    return reply(req, http::status::not_found, "not found", "text/plain");
}

}  // namespace tb::fakes::slack_detail
