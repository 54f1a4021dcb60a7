#include "tests/fakes/spec_checker.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>

#include <boost/url.hpp>
#include <nlohmann/json.hpp>

namespace tb::fakes {

namespace {

using json = nlohmann::json;
namespace urls = boost::urls;

enum class Vendor { slack, zendesk };
enum class TokenKind { bot_or_user, app };

struct Operation {
    std::string method;  // lower case, as in the spec
    std::string path;    // template as in the spec
    std::vector<std::string> segments;
    json const* op;
    json const* item;
    json const* doc;  // for $ref resolution
};

// Slack methods newer than the 2020 spec, with the parameters Slack documents as required.
struct ExtraMethod {
    std::string_view path;
    bool post_only;
    std::vector<std::string_view> required;
    TokenKind token;
};
std::vector<ExtraMethod> const kSlackExtraMethods{
    {"/apps.connections.open", true, {}, TokenKind::app},
    {"/files.getUploadURLExternal", false, {"filename", "length"}, TokenKind::bot_or_user},
    {"/files.completeUploadExternal", true, {"files"}, TokenKind::bot_or_user},
};

// Zendesk operations where the spec marks no parameter required but one of a set must be sent.
struct OneOfRule {
    std::string_view path;
    std::vector<std::string_view> names;
};
std::vector<OneOfRule> const kZendeskOneOf{
    {"/api/v2/users/search", {"query", "external_id"}},
    {"/api/v2/incremental/tickets/cursor", {"start_time", "cursor"}},
};
// Zendesk documents start_time as required, but later pages send only `cursor`.
std::set<std::pair<std::string_view, std::string_view>> const kZendeskNotRequired{
    {"/api/v2/incremental/tickets/cursor", "start_time"},
};

std::string lower(std::string_view s) {
    std::string out{s};
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string media_type(std::string_view content_type) {
    auto const semi = content_type.find(';');
    auto type = content_type.substr(0, semi);
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
    return lower(type);
}

bool is_json_media(std::string_view type) {
    return type == "application/json" || type.ends_with("+json");
}

std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < path.size()) {
        auto const next = path.find('/', pos);
        auto const end = next == std::string_view::npos ? path.size() : next;
        if (end > pos) out.emplace_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

bool is_template(std::string_view seg) {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

json load(std::string const& relative) {
    auto const path = std::string{TB_SPECS_DIR} + "/" + relative;
    std::ifstream in{path};
    if (!in) throw std::runtime_error{"SpecChecker: cannot open " + path};
    return json::parse(in);
}

json const& resolve(json const& doc, json const& node) {
    json const* cur = &node;
    for (int hops = 0; hops < 16 && cur->is_object() && cur->contains("$ref"); ++hops) {
        auto const ref = cur->at("$ref").get<std::string>();
        if (!ref.starts_with("#/")) throw std::runtime_error{"SpecChecker: external $ref " + ref};
        cur = &doc.at(json::json_pointer{ref.substr(1)});
    }
    return *cur;
}

std::optional<std::string> base64_decode(std::string_view in) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (in.empty() || in.size() % 4 != 0) return std::nullopt;
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '=') {
            if (i + 2 < in.size() || (i + 1 < in.size() && in[i + 1] != '=')) return std::nullopt;
            break;
        }
        auto const v = kAlphabet.find(in[i]);
        if (v == std::string_view::npos) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
        }
    }
    return out;
}

std::vector<Operation> index_operations(json const& doc) {
    static constexpr std::string_view kVerbs[] = {"get", "put", "post", "patch", "delete"};
    std::vector<Operation> ops;
    for (auto const& [path, item] : doc.at("paths").items()) {
        for (auto verb : kVerbs) {
            auto const it = item.find(std::string{verb});
            if (it == item.end()) continue;
            ops.push_back(Operation{std::string{verb}, path, split(path), &*it, &item, &doc});
        }
    }
    return ops;
}

// Literal segments beat templates (/users/search over /users/{user_id}); -1 = no match.
int match_score(Operation const& op, std::vector<std::string> const& segments) {
    if (op.segments.size() != segments.size()) return -1;
    int score = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (is_template(op.segments[i])) continue;
        if (op.segments[i] != segments[i]) return -1;
        ++score;
    }
    return score;
}

struct Match {
    Operation const* op = nullptr;
    std::set<std::string> path_methods;  // of the matching paths, when the method did not match
};

Match find_operation(std::vector<Operation> const& ops, std::string const& method,
                     std::vector<std::string> const& segments) {
    Match match;
    int best = -1;
    for (auto const& op : ops) {
        auto const score = match_score(op, segments);
        if (score < 0) continue;
        if (op.method != method) {
            match.path_methods.insert(op.method);
            continue;
        }
        if (score > best) {
            best = score;
            match.op = &op;
        }
    }
    return match;
}

std::vector<json const*> parameters_of(Operation const& op) {
    std::vector<json const*> out;
    for (auto const* holder : {op.item, op.op}) {
        auto const it = holder->find("parameters");
        if (it == holder->end()) continue;
        for (auto const& p : *it) out.push_back(&resolve(*op.doc, p));
    }
    return out;
}

bool type_matches(json const& value, std::string const& type) {
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "string") return value.is_string();
    if (type == "boolean") return value.is_boolean();
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    return true;
}

// Strict enough to catch client bugs (missing wrapper, wrong enum, wrong type) without tripping on
// spec defects: null is always allowed (the OAS rarely says nullable), `required` is enforced only
// on the body and its wrapper object, array items are not inspected.
void validate(json const& doc, json const& value, json const& schema_in, std::string const& where,
              int depth, std::vector<std::string>& out) {
    auto const& schema = resolve(doc, schema_in);
    if (value.is_null() || !schema.is_object()) return;
    if (auto const it = schema.find("allOf"); it != schema.end()) {
        for (auto const& sub : *it) validate(doc, value, sub, where, depth, out);
    }
    for (auto const* key : {"anyOf", "oneOf"}) {
        auto const it = schema.find(key);
        if (it == schema.end()) continue;
        std::vector<std::string> first_errors;
        bool any = false;
        for (auto const& sub : *it) {
            std::vector<std::string> errors;
            validate(doc, value, sub, where, depth, errors);
            if (errors.empty()) any = true;
            if (first_errors.empty()) first_errors = errors;
        }
        if (!any)
            out.push_back(where + " matches none of the " + key + " alternatives (" +
                          (first_errors.empty() ? "" : first_errors.front()) + ")");
    }
    if (auto const it = schema.find("type"); it != schema.end() && it->is_string()) {
        if (!type_matches(value, it->get<std::string>())) {
            out.push_back(where + " must be " + it->get<std::string>() + ", got " +
                          value.type_name());
            return;
        }
    }
    if (auto const it = schema.find("enum"); it != schema.end() && value.is_string()) {
        if (std::find(it->begin(), it->end(), value) == it->end()) {
            out.push_back(where + " = " + value.dump() + " is not one of " + it->dump());
        }
    }
    if (auto const it = schema.find("maxLength"); it != schema.end() && value.is_string()) {
        if (value.get<std::string>().size() > it->get<std::size_t>()) {
            out.push_back(where + " is longer than " + it->dump() + " characters");
        }
    }
    if (!value.is_object()) return;
    if (auto const it = schema.find("required"); it != schema.end() && depth <= 1) {
        for (auto const& name : *it) {
            if (!value.contains(name.get<std::string>())) {
                out.push_back(where + " lacks required property '" + name.get<std::string>() + "'");
            }
        }
    }
    auto const props = schema.find("properties");
    if (props == schema.end() || depth >= 3) return;
    for (auto const& [name, sub] : props->items()) {
        if (auto const v = value.find(name); v != value.end()) {
            validate(doc, *v, sub, where + "." + name, depth + 1, out);
        }
    }
}

// Query and header values arrive as text; check them as text against the parameter's schema.
void check_scalar(json const& doc, std::string const& value, json const& schema,
                  std::string const& where, std::vector<std::string>& out) {
    auto const type = schema.value("type", "");
    auto const digits =
        !value.empty() &&
        std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
    if (type == "integer" && !digits)
        out.push_back(where + " must be an integer, got '" + value + "'");
    if (type == "boolean" && value != "true" && value != "false") {
        out.push_back(where + " must be true or false, got '" + value + "'");
    }
    if (type.empty() || type == "string") validate(doc, json(value), schema, where, 2, out);
}

struct ParsedTarget {
    std::string path;
    std::vector<std::string> segments;
    std::multimap<std::string, std::string> query;
};

std::optional<ParsedTarget> parse_target(std::string_view target, std::string_view prefix) {
    auto const url = urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    ParsedTarget out;
    out.path = std::string{url->path()};
    if (!prefix.empty()) {
        if (!out.path.starts_with(prefix)) return std::nullopt;
        out.path.erase(0, prefix.size());
    }
    out.segments = split(out.path);
    for (auto const& param : url->params()) out.query.emplace(param.key, param.value);
    return out;
}

std::set<std::string> form_keys(std::string_view body) {
    std::set<std::string> keys;
    auto const parsed = urls::parse_query(body);
    if (!parsed) return keys;
    for (auto const& param : *parsed) keys.insert(param.key.decode());
    return keys;
}

}  // namespace

struct SpecChecker::Impl {
    Vendor vendor;
    std::vector<std::unique_ptr<json>> docs;
    std::vector<Operation> primary;
    std::vector<Operation> fallback;  // Zendesk: the full OAS, for operations outside the subset

    std::vector<std::string> check_slack(Request const& req, ParsedTarget const& target) const;
    std::vector<std::string> check_zendesk(Request const& req, ParsedTarget const& target) const;
};

namespace {

std::string slack_token_problem(Request const& req, TokenKind kind) {
    auto const auth = req[http::field::authorization];
    if (auth.empty()) return "no Authorization header (Slack wants 'Bearer <token>')";
    if (!auth.starts_with("Bearer ")) return "Authorization is not 'Bearer <token>'";
    auto const token = auth.substr(7);
    if (kind == TokenKind::app) {
        if (!token.starts_with("xapp-")) return "this method needs an app-level token (xapp-)";
    } else if (!token.starts_with("xoxb-") && !token.starts_with("xoxp-")) {
        return "token must be a bot (xoxb-) or user (xoxp-) token";
    }
    if (token.size() < 10) return "token is too short to be real";
    return {};
}

std::string zendesk_auth_problem(Request const& req) {
    auto const auth = req[http::field::authorization];
    if (auth.empty()) return "no Authorization header";
    if (auth.starts_with("Bearer ")) {
        return auth.size() > 7 ? std::string{} : "empty Bearer token";
    }
    if (!auth.starts_with("Basic ")) return "Authorization is neither Basic nor Bearer";
    auto const decoded = base64_decode(auth.substr(6));
    if (!decoded) return "Basic credentials are not valid base64";
    auto const colon = decoded->find(':');
    if (colon == std::string::npos) return "Basic credentials lack ':'";
    auto const user = std::string_view{*decoded}.substr(0, colon);
    if (!user.ends_with("/token")) return "Basic user must be '{email}/token' (API token auth)";
    if (user.find('@') == std::string_view::npos) return "Basic user lacks an e-mail address";
    if (colon + 1 == decoded->size()) return "Basic credentials have an empty API token";
    return {};
}

}  // namespace

std::vector<std::string> SpecChecker::Impl::check_slack(Request const& req,
                                                        ParsedTarget const& target) const {
    std::vector<std::string> out;
    auto const method = lower(std::string_view{req.method_string()});
    if (method != "get" && method != "post") {
        out.push_back("Slack Web API methods are called with GET or POST, not " + method);
        return out;
    }
    auto const get = find_operation(primary, "get", target.segments);
    auto const post = find_operation(primary, "post", target.segments);
    std::vector<std::string> required;
    std::set<std::string> consumes;
    TokenKind token_kind = TokenKind::bot_or_user;
    bool post_only = false;
    if (get.op || post.op) {
        post_only = !get.op;
        for (auto const* op : {get.op, post.op}) {
            if (!op) continue;
            for (auto const& type : op->op->value("consumes", json::array())) {
                consumes.insert(type.get<std::string>());
            }
            for (auto const* p : parameters_of(*op)) {
                if (p->value("required", false))
                    required.push_back(p->at("name").get<std::string>());
            }
        }
    } else {
        auto const extra = std::find_if(kSlackExtraMethods.begin(), kSlackExtraMethods.end(),
                                        [&](auto const& m) { return m.path == target.path; });
        if (extra == kSlackExtraMethods.end()) {
            out.push_back("unknown Slack method '" + target.path + "'");
            return out;
        }
        post_only = extra->post_only;
        token_kind = extra->token;
        required.assign(extra->required.begin(), extra->required.end());
        consumes = {"application/x-www-form-urlencoded", "application/json"};
    }
    if (post_only && method != "post") out.push_back(target.path + " must be called with POST");
    if (auto problem = slack_token_problem(req, token_kind); !problem.empty()) {
        out.push_back(problem);
    }
    if (target.query.count("token")) {
        out.push_back("token in the query string (Slack refuses it for new apps)");
    }

    std::set<std::string> present;
    for (auto const& [key, value] : target.query) present.insert(key);
    if (!req.body().empty()) {
        auto const type = media_type(req[http::field::content_type]);
        if (method == "get") out.push_back("GET request carries a body");
        if (type.empty()) {
            out.push_back("body without Content-Type");
        } else if (!consumes.count(type)) {
            out.push_back("Content-Type '" + type + "' not accepted by " + target.path);
        } else if (type == "application/json") {
            auto const body = json::parse(req.body(), nullptr, false);
            if (!body.is_object()) {
                out.push_back("JSON body is not an object");
            } else {
                for (auto const& [key, value] : body.items()) present.insert(key);
                if (body.contains("token")) out.push_back("token inside a JSON body");
            }
        } else if (type == "application/x-www-form-urlencoded") {
            present.merge(form_keys(req.body()));
        }
    }
    for (auto const& name : required) {
        if (name != "token" && !present.count(name)) {
            out.push_back("missing required parameter '" + name + "'");
        }
    }
    return out;
}

std::vector<std::string> SpecChecker::Impl::check_zendesk(Request const& req,
                                                          ParsedTarget const& target_in) const {
    std::vector<std::string> out;
    // Zendesk serves every endpoint with an optional ".json" suffix and puts it in its own links.
    auto target = target_in;
    if (!target.segments.empty() && target.segments.back().ends_with(".json")) {
        target.segments.back().resize(target.segments.back().size() - 5);
        target.path.resize(target.path.size() - 5);
    }
    auto const method = lower(std::string_view{req.method_string()});
    auto match = find_operation(primary, method, target.segments);
    if (!match.op) {
        auto second = find_operation(fallback, method, target.segments);
        if (second.op || match.path_methods.empty()) {
            second.path_methods.merge(match.path_methods);
            match = std::move(second);
        }
    }
    if (!match.op) {
        if (match.path_methods.empty()) {
            out.push_back("unknown Zendesk endpoint " + target.path);
        } else {
            std::string allowed;
            for (auto const& m : match.path_methods) allowed += (allowed.empty() ? "" : ", ") + m;
            out.push_back("method " + method + " not allowed on " + target.path +
                          " (allowed: " + allowed + ")");
        }
        return out;
    }
    auto const& op = *match.op;
    if (auto problem = zendesk_auth_problem(req); !problem.empty()) out.push_back(problem);

    for (auto const* p : parameters_of(op)) {
        auto const name = p->at("name").get<std::string>();
        auto const in = p->value("in", "");
        auto const schema = p->contains("schema") ? resolve(*op.doc, p->at("schema")) : json{};
        std::optional<std::string> value;
        if (in == "path") {
            auto const pos = std::find(op.segments.begin(), op.segments.end(), "{" + name + "}");
            if (pos == op.segments.end()) continue;  // spec defect: declared but not in the path
            value = target.segments[static_cast<std::size_t>(pos - op.segments.begin())];
            if (schema.value("type", "") == "integer" &&
                !std::all_of(value->begin(), value->end(),
                             [](unsigned char c) { return std::isdigit(c); })) {
                out.push_back("path parameter " + name + " must be an integer, got '" + *value +
                              "'");
            }
            continue;
        }
        if (in == "query") {
            if (auto const it = target.query.find(name); it != target.query.end()) {
                value = it->second;
            }
        } else if (in == "header") {
            if (auto const it = req.find(name); it != req.end()) value = std::string{it->value()};
        } else {
            continue;
        }
        if (!value) {
            if (p->value("required", false) && !kZendeskNotRequired.count({op.path, name})) {
                out.push_back("missing required " + in + " parameter '" + name + "'");
            }
            continue;
        }
        check_scalar(*op.doc, *value, schema, in + " parameter " + name, out);
    }
    for (auto const& rule : kZendeskOneOf) {
        if (rule.path != op.path) continue;
        auto const has = std::any_of(rule.names.begin(), rule.names.end(), [&](auto n) {
            return target.query.count(std::string{n}) > 0;
        });
        if (!has) {
            std::string names;
            for (auto n : rule.names) names += (names.empty() ? "" : " or ") + std::string{n};
            out.push_back("needs the query parameter " + names);
        }
    }

    auto const type = media_type(req[http::field::content_type]);
    auto const has_body = !req.body().empty();
    auto const rb_it = op.op->find("requestBody");
    if (has_body && (method == "get" || method == "delete")) {
        out.push_back(method + " request carries a body");
    }
    if (rb_it == op.op->end()) {
        if (!has_body || method == "get" || method == "delete") return out;
        if (type.empty()) {
            out.push_back("body without Content-Type");
        } else if (target.path != "/api/v2/uploads" && type != "application/json") {
            out.push_back("Content-Type must be application/json, got '" + type + "'");
        }
        return out;
    }
    auto const& rb = resolve(*op.doc, *rb_it);
    if (!has_body) {
        if (rb.value("required", false)) out.push_back("request body is required");
        return out;
    }
    auto const& content = rb.at("content");
    auto const media = content.find(type);
    if (type.empty() || media == content.end()) {
        std::string allowed;
        for (auto const& [key, value] : content.items()) allowed += " " + key;
        out.push_back("Content-Type '" + type + "' not accepted (allowed:" + allowed + ")");
        return out;
    }
    if (!is_json_media(type)) return out;
    auto const body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) {
        out.push_back("body is not valid JSON");
        return out;
    }
    if (!media->contains("schema")) return out;
    auto const& schema = resolve(*op.doc, media->at("schema"));
    validate(*op.doc, body, schema, "body", 0, out);
    // Zendesk wraps every resource in one singular key ({"ticket": {...}}); the OAS does not always
    // mark that key required, the API does.
    auto const props = schema.find("properties");
    if (props != schema.end() && props->size() == 1 && !schema.contains("required") &&
        body.is_object() && !body.contains(props->begin().key())) {
        out.push_back("body lacks required property '" + props->begin().key() + "'");
    }
    return out;
}

SpecChecker::SpecChecker(std::unique_ptr<Impl> impl) : impl_{std::move(impl)} {}
SpecChecker::~SpecChecker() = default;

SpecChecker const& SpecChecker::slack() {
    static SpecChecker const checker{[] {
        auto impl = std::make_unique<Impl>();
        impl->vendor = Vendor::slack;
        impl->docs.push_back(std::make_unique<json>(
            load("slack/web-api/slack_web_openapi_v2_without_examples.json")));
        impl->primary = index_operations(*impl->docs.back());
        return impl;
    }()};
    return checker;
}

SpecChecker const& SpecChecker::zendesk() {
    static SpecChecker const checker{[] {
        auto impl = std::make_unique<Impl>();
        impl->vendor = Vendor::zendesk;
        for (auto const* file : {"zendesk/support-oas.ticketbridge-subset.with-overlay.json",
                                 "zendesk/webhooks-api.authored.json"}) {
            impl->docs.push_back(std::make_unique<json>(load(file)));
            auto ops = index_operations(*impl->docs.back());
            impl->primary.insert(impl->primary.end(), ops.begin(), ops.end());
        }
        impl->docs.push_back(std::make_unique<json>(load("zendesk/support-oas.json")));
        impl->fallback = index_operations(*impl->docs.back());
        return impl;
    }()};
    return checker;
}

std::vector<std::string> SpecChecker::check(Request const& req,
                                            std::string_view path_prefix) const {
    auto const target = parse_target(req.target(), path_prefix);
    std::vector<std::string> out;
    if (!target) {
        out.push_back("request target '" + std::string{req.target()} +
                      "' is malformed or lacks the prefix '" + std::string{path_prefix} + "'");
    } else {
        out = impl_->vendor == Vendor::slack ? impl_->check_slack(req, *target)
                                             : impl_->check_zendesk(req, *target);
    }
    auto const label = std::string{req.method_string()} + " " + std::string{req.target()} + ": ";
    for (auto& v : out) v.insert(0, label);
    return out;
}

std::vector<std::string> SpecChecker::check_response(Request const& req, Response const& res,
                                                     std::string_view path_prefix) const {
    std::vector<std::string> out;
    auto const type = media_type(res[http::field::content_type]);
    auto const status = res.result_int();
    if (is_json_media(type) && !res.body().empty() &&
        json::parse(res.body(), nullptr, false).is_discarded()) {
        out.push_back("response declares JSON but the body does not parse");
    }
    auto const target = parse_target(req.target(), path_prefix);
    if (target && impl_->vendor == Vendor::slack && status == 200 && is_json_media(type)) {
        auto const body = json::parse(res.body(), nullptr, false);
        if (!body.is_object() || !body.contains("ok") || !body["ok"].is_boolean()) {
            out.push_back("Slack response lacks boolean 'ok'");
        }
    }
    if (target && impl_->vendor == Vendor::zendesk && status < 400) {
        auto segments = target->segments;
        if (!segments.empty() && segments.back().ends_with(".json")) {
            segments.back().resize(segments.back().size() - 5);
        }
        auto const method = lower(std::string_view{req.method_string()});
        auto match = find_operation(impl_->primary, method, segments);
        if (!match.op) match = find_operation(impl_->fallback, method, segments);
        if (match.op) {
            auto const& responses = match.op->op->at("responses");
            if (!responses.contains(std::to_string(status)) && !responses.contains("default")) {
                out.push_back("status " + std::to_string(status) + " is not declared");
            }
        }
    }
    auto const label = std::string{req.method_string()} + " " + std::string{req.target()} + ": ";
    for (auto& v : out) v.insert(0, label);
    return out;
}

}  // namespace tb::fakes
