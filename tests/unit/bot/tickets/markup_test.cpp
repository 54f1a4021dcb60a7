#include "bot/tickets/markup.hpp"

#include <doctest/doctest.h>

#include <string>

using tb::bot::mentioned_users;
using tb::bot::slack_to_text;
using tb::bot::subject_line;

namespace {

std::string name_of(std::string_view id) { return id == "U123" ? "Alex Doe" : ""; }

}  // namespace

TEST_CASE("Slack markup becomes readable text") {
    struct Row {
        char const* markup;
        char const* text;
    };
    Row const rows[] = {
        {"hello <@U123>", "hello @Alex Doe"},
        {"hello <@U999>", "hello @U999"},
        {"hi <@U123|alex>", "hi @alex"},
        {"see <#C1|general>", "see #general"},
        {"see <#C1>", "see #C1"},
        {"<https://x.example/a?b=1&amp;c=2|the docs>", "the docs (https://x.example/a?b=1&c=2)"},
        {"<https://x.example>", "https://x.example"},
        {"<https://x.example|https://x.example>", "https://x.example"},
        {"<mailto:a@b.example|a@b.example>", "a@b.example"},
        {"<!here> please", "@here please"},
        {"<!channel>", "@channel"},
        {"<!subteam^S1|@support> look", "@support look"},
        {"<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"},
        {"a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"},
        {"unclosed <https://x", "unclosed <https://x"},
        {"", ""},
    };
    for (auto const& row : rows) {
        CAPTURE(row.markup);
        CHECK(slack_to_text(row.markup, name_of) == row.text);
    }
}

TEST_CASE("mentions are listed once, in order") {
    CHECK(mentioned_users("<@U2> and <@U1|x> and <@U2>") == std::vector<std::string>{"U2", "U1"});
    CHECK(mentioned_users("no one").empty());
}

TEST_CASE("a subject is the first non-empty line, collapsed and cut at a word") {
    CHECK(subject_line("\n  \n  Login   fails\tfor partners \nsecond line") == "Login fails for partners");
    CHECK(subject_line("short", 80) == "short");
    auto const long_line = std::string(30, 'a') + " " + std::string(30, 'b') + " " + std::string(30, 'c');
    auto const cut = subject_line(long_line, 80);
    CHECK(cut == std::string(30, 'a') + " " + std::string(30, 'b') + "…");
    CHECK(subject_line(std::string(80, 'x'), 80) == std::string(80, 'x'));
    // Multi-byte characters count as one and are never split.
    std::string accents;
    for (int i = 0; i < 100; ++i) accents += "é";
    auto const trimmed = subject_line(accents, 10);
    CHECK(trimmed == std::string{"ééééééééé"} + "…");
    CHECK(subject_line("   ").empty());
}
