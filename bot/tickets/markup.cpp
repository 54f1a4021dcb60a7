#include "bot/tickets/markup.hpp"

#include <algorithm>

namespace tb::bot {
namespace {

std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto const rest = s.substr(i);
        if (rest.starts_with("&amp;")) {
            out += '&';
            i += 4;
        } else if (rest.starts_with("&lt;")) {
            out += '<';
            i += 3;
        } else if (rest.starts_with("&gt;")) {
            out += '>';
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// One <...> element: what is left of the '|' and the label right of it.
std::string render_element(std::string_view inner, UserNamer const& name_of) {
    auto const bar = inner.find('|');
    auto const target = inner.substr(0, bar);
    auto const label = bar == std::string_view::npos ? std::string_view{} : inner.substr(bar + 1);
    if (target.starts_with("@")) {
        auto const id = target.substr(1);
        if (!label.empty()) return "@" + decode_entities(label);
        auto const name = name_of ? name_of(id) : std::string{};
        return "@" + (name.empty() ? std::string{id} : name);
    }
    if (target.starts_with("#")) {
        return "#" + decode_entities(label.empty() ? target.substr(1) : label);
    }
    if (target.starts_with("!")) {
        auto const command = target.substr(1);
        if (command.starts_with("subteam^") || command.starts_with("date^")) {
            return decode_entities(label.empty() ? command : label);
        }
        return "@" + std::string{command.substr(0, command.find('^'))};
    }
    auto const url = decode_entities(target);
    if (url.starts_with("mailto:")) return label.empty() ? url.substr(7) : decode_entities(label);
    if (label.empty() || decode_entities(label) == url) return url;
    return decode_entities(label) + " (" + url + ")";
}

bool is_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

}  // namespace

std::string slack_to_text(std::string_view markup, UserNamer const& name_of) {
    std::string out;
    out.reserve(markup.size());
    std::size_t i = 0;
    while (i < markup.size()) {
        auto const open = markup.find('<', i);
        auto const close = open == std::string_view::npos ? open : markup.find('>', open);
        if (close == std::string_view::npos) {
            out += decode_entities(markup.substr(i));
            break;
        }
        out += decode_entities(markup.substr(i, open - i));
        out += render_element(markup.substr(open + 1, close - open - 1), name_of);
        i = close + 1;
    }
    return out;
}

std::vector<std::string> mentioned_users(std::string_view markup) {
    std::vector<std::string> ids;
    for (auto at = markup.find("<@"); at != std::string_view::npos; at = markup.find("<@", at + 2)) {
        auto const end = markup.find_first_of("|>", at + 2);
        if (end == std::string_view::npos) break;
        std::string id{markup.substr(at + 2, end - at - 2)};
        if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    return ids;
}

std::string collapse_whitespace(std::string_view text) {
    std::string out;
    for (char c : text) {
        bool const space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string subject_line(std::string_view text, std::size_t max_chars) {
    std::string line;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find('\n', start), text.size());
        auto const candidate = text.substr(start, end - start);
        if (candidate.find_first_not_of(" \t\r") != std::string_view::npos) {
            line = candidate;
            break;
        }
        start = end + 1;
    }
    auto collapsed = collapse_whitespace(line);

    auto const total = static_cast<std::size_t>(std::count_if(
        collapsed.begin(), collapsed.end(),
        [](char c) { return !is_continuation(static_cast<unsigned char>(c)); }));
    if (total <= max_chars || max_chars == 0) return collapsed;
    std::size_t chars = 0;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < collapsed.size(); ++i) {
        if (is_continuation(static_cast<unsigned char>(collapsed[i]))) continue;
        if (chars == max_chars - 1) {
            cut = i;
            break;
        }
        ++chars;
    }
    auto const space = collapsed.rfind(' ', cut);
    if (space != std::string::npos && space > cut / 2) cut = space;
    collapsed.resize(cut);
    while (!collapsed.empty() && (collapsed.back() == ' ' || collapsed.back() == ',')) {
        collapsed.pop_back();
    }
    return collapsed + "…";
}

std::string escape_slack_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char const c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out.push_back(c);
    }
    return out;
}

}  // namespace tb::bot
