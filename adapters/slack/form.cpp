#include "adapters/slack/form.hpp"

#include <cctype>
#include <cstdio>
#include <string>

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

namespace tb::slack {

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    // Boost.URL 1.81's parse_query reads up to a NUL, past the end of a view: parse a copy.
    std::string const text{body};
    auto parsed = boost::urls::parse_query(text);
    if (!parsed) return std::nullopt;
    boost::urls::encoding_opts const form{true};
    std::map<std::string, std::string> fields;
    for (auto const& param : *parsed) {
        if (param.key.empty()) continue;
        auto value = param.has_value ? param.value.decode(form) : std::string{};
        fields.insert_or_assign(param.key.decode(form), std::move(value));
    }
    return fields;
}

std::string encode_form(std::vector<std::pair<std::string, std::string>> const& fields) {
    std::string out;
    for (auto const& [key, value] : fields) {
        if (!out.empty()) out += '&';
        out += key + "=";
        for (unsigned char c : value) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                out += buf;
            }
        }
    }
    return out;
}

}  // namespace tb::slack
