#include "tests/fakes/fake_slack_params.hpp"

#include <cctype>
#include <exception>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/system/system_error.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>

namespace tb::fakes::slack_detail {
namespace {

namespace base64 = boost::beast::detail::base64;

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

// Adds `key=value` pairs to `out`; false when the text is not a valid form/query string.
bool merge_form(std::string_view text, nlohmann::json& out, std::string* token) {
    if (text.empty()) return true;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    // Debian's Boost.URL 1.81 parse_query runs strlen() over its argument, so it needs a
    // terminated copy, not a view into the middle of the request target.
    std::string const terminated{text};
    try {
        for (auto const& param : boost::urls::params_view{terminated, opts}) {
            if (param.key == "token") {
                // Slack ignores tokens in the query string for apps made since 2021.
                if (token != nullptr) *token = param.value;
                continue;
            }
            out[param.key] = param.value;
        }
    } catch (boost::system::system_error const&) {
        return false;
    }
    return true;
}

}  // namespace

std::string path_of(Request const& req) {
    std::string_view const target{req.target().data(), req.target().size()};
    return std::string{target.substr(0, target.find('?'))};
}

DecodedCall decode_call(Request const& req, std::string_view path_prefix) {
    DecodedCall call;
    auto const path = path_of(req);
    call.method = path.substr(std::min(path.size(), path_prefix.size() + 1));

    std::string_view const target{req.target().data(), req.target().size()};
    if (auto const q = target.find('?'); q != std::string_view::npos) {
        if (!merge_form(target.substr(q + 1), call.params, nullptr)) {
            call.error = "invalid_arg_name";
        }
    }

    std::string_view const content_type{req[http::field::content_type]};
    if (starts_with_ci(content_type, "application/x-www-form-urlencoded")) {
        if (!merge_form(req.body(), call.params, &call.token)) call.error = "invalid_form_data";
    } else if (starts_with_ci(content_type, "application/json")) {
        auto body = nlohmann::json::parse(req.body(), nullptr, false);
        if (body.is_discarded()) {
            call.error = "invalid_json";
        } else if (!body.is_object()) {
            call.error = "json_not_object";
        } else {
            body.erase("token");  // Slack does not read a token from a JSON body
            call.params.update(body);
        }
    } else if (!req.body().empty()) {
        call.error = "invalid_post_type";
    }

    std::string_view const auth{req[http::field::authorization]};
    if (starts_with_ci(auth, "Bearer ")) call.token = std::string{auth.substr(7)};
    return call;
}

std::string str_param(nlohmann::json const& params, std::string_view key) {
    auto const it = params.find(key);
    if (it == params.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

bool bool_param(nlohmann::json const& params, std::string_view key, bool fallback) {
    auto const it = params.find(key);
    if (it == params.end() || it->is_null()) return fallback;
    if (it->is_boolean()) return it->get<bool>();
    auto const text = str_param(params, key);
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    return fallback;
}

std::optional<long long> int_param(nlohmann::json const& params, std::string_view key) {
    auto const text = str_param(params, key);
    if (text.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        auto const value = std::stoll(text, &used);
        if (used != text.size()) return std::nullopt;
        return value;
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

nlohmann::json json_param(nlohmann::json const& params, std::string_view key, bool& malformed) {
    auto const it = params.find(key);
    if (it == params.end() || it->is_null()) return nullptr;
    if (!it->is_string()) return *it;
    auto parsed = nlohmann::json::parse(it->get<std::string>(), nullptr, false);
    if (parsed.is_discarded()) {
        malformed = true;
        return nullptr;
    }
    return parsed;
}

std::string base64_encode(std::string_view raw) {
    std::string out(base64::encoded_size(raw.size()), '\0');
    out.resize(base64::encode(out.data(), raw.data(), raw.size()));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out(base64::decoded_size(text.size()), '\0');
    auto const [written, read] = base64::decode(out.data(), text.data(), text.size());
    // decode() stops at the padding, so all of the text before it must have been read.
    if (read != text.find_last_not_of('=') + 1) return std::nullopt;
    out.resize(written);
    return out;
}

}  // namespace tb::fakes::slack_detail
