#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tb::bot {

// Names a Slack user id for readable text ("Alex Doe"); returns empty when unknown.
using UserNamer = std::function<std::string(std::string_view user_id)>;

// Slack message markup as readable plain text: <@U1> → @name, <#C1|general> → #general,
// <https://x|label> → label (https://x), <!here> → @here, &amp; &lt; &gt; decoded.
std::string slack_to_text(std::string_view markup, UserNamer const& name_of = {});

// Text as Slack's message markup shows it literally: &, < and > escaped.
std::string escape_slack_text(std::string_view text);

// The user ids a message mentions (<@U…>), each once, in order of appearance.
std::vector<std::string> mentioned_users(std::string_view markup);

// Runs of spaces, tabs and line breaks as one space, none at either end.
std::string collapse_whitespace(std::string_view text);

// A readable one-line subject: the first non-empty line, whitespace collapsed, cut at a word
// boundary to at most max_chars characters (UTF-8 aware), with "…" when cut.
std::string subject_line(std::string_view text, std::size_t max_chars = 80);

}  // namespace tb::bot
