#include "bot/commands/command.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

constexpr std::size_t kMaxTicketDigits = 18;  // fits TicketId (int64) with room to spare
constexpr std::size_t kMaxShownChars = 40;    // of a user's word quoted back in an error

struct VerbName {
    std::string_view name;
    Verb verb;
};

constexpr std::array<VerbName, 15> kVerbs{{
    {"help", Verb::help},         {"status", Verb::status},   {"take", Verb::take},
    {"assign", Verb::assign},     {"priority", Verb::priority}, {"group", Verb::group},
    {"subject", Verb::subject},   {"note", Verb::note},       {"reply", Verb::reply},
    {"pending", Verb::pending},   {"hold", Verb::hold},       {"solve", Verb::solve},
    {"reopen", Verb::reopen},     {"list", Verb::list},       {"sla", Verb::sla},
}};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes of whitespace at `i`: ASCII blanks and newlines, and the no-break space that Slack
// keeps when text is pasted from elsewhere. 0 when there is none.
std::size_t space_at(std::string_view s, std::size_t i) {
    switch (s[i]) {
        case ' ': case '\t': case '\n': case '\r': case '\v': case '\f': return 1;
        default: break;
    }
    if (s[i] == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') return 2;
    return 0;
}

std::string_view trim_front(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const n = space_at(s, i);
        if (n == 0) break;
        i += n;
    }
    return s.substr(i);
}

std::string_view trim(std::string_view s) {
    s = trim_front(s);
    while (!s.empty()) {
        auto const last = s.size() - 1;
        if (space_at(s, last) == 1) {
            s.remove_suffix(1);
        } else if (last >= 1 && space_at(s, last - 1) == 2) {
            s.remove_suffix(2);
        } else {
            break;
        }
    }
    return s;
}

// Splits off the first word of `s` (after any whitespace). Slack markup (`<@U1|alex smith>`,
// `<https://x|a label>`) is one word even when its label has spaces. `s` keeps the rest.
std::string_view next_word(std::string_view& s) {
    s = trim_front(s);
    std::size_t end = 0;
    if (!s.empty() && s.front() == '<') {
        auto const close = s.find('>');
        if (close != std::string_view::npos) end = close + 1;
    }
    while (end < s.size() && space_at(s, end) == 0) ++end;
    auto const word = s.substr(0, end);
    s.remove_prefix(end);
    return word;
}

// A user's word quoted back between backticks: no backticks or newlines of its own, short.
std::string shown(std::string_view word) {
    std::string out;
    for (char c : word) {
        if (c == '`') {
            out += '\'';
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out += ' ';
        } else {
            out += c;
        }
    }
    if (out.size() > kMaxShownChars) {
        auto cut = kMaxShownChars;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0U) == 0x80U) --cut;  // UTF-8
        out.resize(cut);
        out += "…";
    }
    return "`" + out + "`";
}

// `<target|label>` or `<target>` as Slack escapes links and mentions → target; else `word`.
std::string_view unwrap(std::string_view word) {
    if (word.size() < 2 || word.front() != '<' || word.back() != '>') return word;
    word = word.substr(1, word.size() - 2);
    return word.substr(0, word.find('|'));
}

// 1 to kMaxTicketDigits digits, not all zeros.
std::optional<TicketId> digits_to_id(std::string_view digits) {
    if (digits.empty() || digits.size() > kMaxTicketDigits) return std::nullopt;
    TicketId id = 0;
    for (char c : digits) {
        if (!is_digit(c)) return std::nullopt;
        id = id * 10 + (c - '0');
    }
    if (id <= 0) return std::nullopt;
    return id;
}

// The ticket of a Zendesk ticket link: …/agent/tickets/N[/…], …/tickets/N,
// …/api/v2/tickets/N[.json], with any query or fragment.
std::optional<TicketId> id_from_link(std::string_view url) {
    if (istarts_with(url, "https://")) {
        url.remove_prefix(8);
    } else if (istarts_with(url, "http://")) {
        url.remove_prefix(7);
    }
    url = url.substr(0, url.find_first_of("?#"));
    auto const slash = url.find('/');
    if (slash == 0 || slash == std::string_view::npos) return std::nullopt;  // needs a host
    auto path = url.substr(slash);
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

    for (std::string_view prefix : {"/agent/tickets/", "/api/v2/tickets/", "/tickets/"}) {
        if (!istarts_with(path, prefix)) continue;
        auto rest = path.substr(prefix.size());
        auto const end = rest.find('/');
        auto number = rest.substr(0, end);
        bool const agent = prefix == "/agent/tickets/";
        if (end != std::string_view::npos && !agent) return std::nullopt;  // only the agent view has sub-pages
        if (prefix == "/api/v2/tickets/" && number.size() > 5 &&
            iequals(number.substr(number.size() - 5), ".json")) {
            number.remove_suffix(5);
        }
        return digits_to_id(number);
    }
    return std::nullopt;
}

bool looks_like_link(std::string_view word) {
    return istarts_with(word, "http://") || istarts_with(word, "https://") ||
           word.find('/') != std::string_view::npos;
}

// `123`, `#123` or a Zendesk ticket link, as Slack sent it; else why not.
std::variant<TicketId, std::string> ticket_number(std::string_view word) {
    auto const target = unwrap(word);
    if (looks_like_link(target)) {
        if (auto id = id_from_link(target)) return *id;
        return shown(word) + " is not a Zendesk ticket link.";
    }
    auto digits = target;
    if (!digits.empty() && digits.front() == '#') digits.remove_prefix(1);
    if (auto id = digits_to_id(digits)) return *id;
    bool const all_digits = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
    if (all_digits && digits.size() > kMaxTicketDigits) {
        return shown(word) + " is too long for a ticket number.";
    }
    return shown(word) + " is not a ticket number.";
}

std::string example(Verb verb) {
    switch (verb) {
        case Verb::assign: return " @alex";
        case Verb::priority: return " high";
        case Verb::group: return " Content support";
        case Verb::subject: return " Login fails on Android";
        case Verb::note: return " Fixed in PR 42";
        case Verb::reply: return " Thanks, this is fixed now";
        default: return "";
    }
}

CommandError error(Verb verb, std::string message) { return {std::move(message), usage(verb)}; }

CommandError words_after(Verb verb, std::string_view what, std::string_view word) {
    return error(verb, "`" + std::string{to_string(verb)} + "` takes " + std::string{what} + ", not " +
                           shown(word) + ".");
}

// The verbs that act on one ticket: reads N and then what the verb takes after it.
std::variant<Command, CommandError> parse_ticket_command(Verb verb, std::string_view rest) {
    auto const name = std::string{to_string(verb)};
    Command command;
    command.verb = verb;

    auto const word = next_word(rest);
    if (word.empty()) {
        return error(verb, "`" + name + "` needs a ticket number, like `/ticket " + name + " 123" +
                               example(verb) + "`.");
    }
    auto number = ticket_number(word);
    if (auto const* why = std::get_if<std::string>(&number)) return error(verb, *why);
    command.ticket = std::get<TicketId>(number);

    switch (verb) {
        case Verb::status:
        case Verb::take:
        case Verb::reopen: {
            if (auto const extra = next_word(rest); !extra.empty()) {
                return words_after(verb, "only a ticket number", extra);
            }
            return command;
        }
        case Verb::assign: {
            auto const who = next_word(rest);
            if (who.empty()) {
                return error(verb, "`assign` needs the person to assign, like `/ticket assign 123 @alex`.");
            }
            if (iequals(who, "me") || iequals(who, "@me")) {
                command.assignee = "me";
            } else {
                auto const target = unwrap(who);
                bool const mention = who.front() == '<' && target.size() > 1 && target.front() == '@' &&
                                     target.substr(1).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
                                         std::string_view::npos;
                if (!mention) {
                    return error(verb, shown(who) + " is not a Slack mention: pick the person from Slack's "
                                                    "@-mention list so Slack links them.");
                }
                command.assignee = std::string{target.substr(1)};
            }
            if (auto const extra = next_word(rest); !extra.empty()) return words_after(verb, "one person", extra);
            return command;
        }
        case Verb::priority: {
            auto const level = next_word(rest);
            auto const parsed = parse_priority(level);
            if (!parsed) {
                if (level.empty()) return error(verb, "`priority` needs one of low, normal, high, urgent.");
                return error(verb, "`priority` needs one of low, normal, high, urgent, not " + shown(level) + ".");
            }
            command.priority = *parsed;
            if (auto const extra = next_word(rest); !extra.empty()) return words_after(verb, "one level", extra);
            return command;
        }
        default: break;
    }

    command.text = std::string{trim(rest)};
    if (command.text.empty()) {
        switch (verb) {
            case Verb::group:
                return error(verb, "`group` needs the group's name, like `/ticket group 123 Content support`.");
            case Verb::subject:
                return error(verb, "`subject` needs the new subject, like `/ticket subject 123" + example(verb) + "`.");
            case Verb::note:
                return error(verb, "`note` needs the text of the note, like `/ticket note 123" + example(verb) + "`.");
            case Verb::reply:
                return error(verb, "`reply` needs the text of the reply, like `/ticket reply 123" + example(verb) + "`.");
            default: break;  // pending, hold, solve: the note is optional
        }
    }
    return command;
}

std::variant<Command, CommandError> parse_list(std::string_view rest) {
    Command command;
    command.verb = Verb::list;
    auto const scope = next_word(rest);
    if (scope.empty()) return command;
    if (iequals(scope, "group")) {
        command.scope = ListScope::group;
        command.text = std::string{trim(rest)};
        if (command.text.empty()) {
            return error(Verb::list, "`list group` needs the group's name, like `/ticket list group Content support`.");
        }
        return command;
    }
    if (iequals(scope, "mine")) {
        command.scope = ListScope::mine;
    } else if (iequals(scope, "unassigned")) {
        command.scope = ListScope::unassigned;
    } else if (iequals(scope, "breaching")) {
        command.scope = ListScope::breaching;
    } else {
        return error(Verb::list, "`list` shows mine, unassigned, breaching or a group, not " + shown(scope) + ".");
    }
    if (auto const extra = next_word(rest); !extra.empty()) {
        return error(Verb::list, "`list " + std::string{scope} + "` takes nothing more, not " + shown(extra) + ".");
    }
    return command;
}

std::variant<Command, CommandError> parse_sla(std::string_view rest) {
    Command command;
    command.verb = Verb::sla;
    auto const word = next_word(rest);
    if (word.empty()) return command;
    auto number = ticket_number(word);
    if (auto const* why = std::get_if<std::string>(&number)) return error(Verb::sla, *why);
    command.ticket = std::get<TicketId>(number);
    if (auto const extra = next_word(rest); !extra.empty()) {
        return words_after(Verb::sla, "at most a ticket number", extra);
    }
    return command;
}

}  // namespace

std::variant<Command, CommandError> parse_command(std::string_view text) {
    auto rest = text;
    auto const word = next_word(rest);
    if (word.empty()) return Command{};

    Verb const* verb = nullptr;
    for (auto const& v : kVerbs) {
        if (iequals(word, v.name)) verb = &v.verb;
    }
    if (verb == nullptr) {
        if (std::holds_alternative<TicketId>(ticket_number(word))) {
            return CommandError{"Say what to do with that ticket, like `/ticket status 123`.", help_text()};
        }
        return CommandError{"Unknown command " + shown(word) + ".", help_text()};
    }

    switch (*verb) {
        case Verb::help:
            if (auto const extra = next_word(rest); !extra.empty()) {
                return words_after(Verb::help, "nothing after it", extra);
            }
            return Command{};
        case Verb::list: return parse_list(rest);
        case Verb::sla: return parse_sla(rest);
        default: return parse_ticket_command(*verb, rest);
    }
}

bool changes_ticket(Verb verb) {
    switch (verb) {
        case Verb::take:
        case Verb::assign:
        case Verb::priority:
        case Verb::group:
        case Verb::subject:
        case Verb::note:
        case Verb::reply:
        case Verb::pending:
        case Verb::hold:
        case Verb::solve:
        case Verb::reopen: return true;
        case Verb::help:
        case Verb::status:
        case Verb::list:
        case Verb::sla: return false;
    }
    return false;
}

std::string_view to_string(Verb verb) {
    for (auto const& v : kVerbs) {
        if (v.verb == verb) return v.name;
    }
    return "help";
}

// No `<`, `>` or `&` here: Slack would read them as markup.
std::string usage(Verb verb) {
    switch (verb) {
        case Verb::help: return "`/ticket help`";
        case Verb::status: return "`/ticket status 123`";
        case Verb::take: return "`/ticket take 123`";
        case Verb::assign: return "`/ticket assign 123 @alex`\n`/ticket assign 123 me`";
        case Verb::priority: return "`/ticket priority 123 low|normal|high|urgent`";
        case Verb::group: return "`/ticket group 123 Content support`";
        case Verb::subject: return "`/ticket subject 123 Login fails on Android`";
        case Verb::note: return "`/ticket note 123 Fixed in PR 42`";
        case Verb::reply: return "`/ticket reply 123 Thanks, this is fixed now`";
        case Verb::pending: return "`/ticket pending 123 [note]`";
        case Verb::hold: return "`/ticket hold 123 [note]`";
        case Verb::solve: return "`/ticket solve 123 [note]`";
        case Verb::reopen: return "`/ticket reopen 123`";
        case Verb::list:
            return "`/ticket list`\n`/ticket list mine|unassigned|breaching`\n`/ticket list group Content support`";
        case Verb::sla: return "`/ticket sla [123]`";
    }
    return "`/ticket help`";
}

std::string help_text() {
    return "*`/ticket` commands* (a ticket is `123`, `#123` or its Zendesk link):\n"
           "`/ticket status 123` – show the ticket's status, assignee and SLA\n"
           "`/ticket take 123` – assign the ticket to yourself\n"
           "`/ticket assign 123 @alex` – assign it to someone (pick them from the @-list), or `me`\n"
           "`/ticket priority 123 low|normal|high|urgent` – change its priority\n"
           "`/ticket group 123 Content support` – move it to another group\n"
           "`/ticket subject 123 New subject` – change its subject\n"
           "`/ticket note 123 text or PR link` – add an internal note\n"
           "`/ticket reply 123 text` – reply to the requester (public)\n"
           "`/ticket pending 123 [note]` – wait for the requester\n"
           "`/ticket hold 123 [note]` – put it on hold\n"
           "`/ticket solve 123 [note]` – mark it solved\n"
           "`/ticket reopen 123` – reopen it\n"
           "`/ticket list [mine|unassigned|breaching]` – list open tickets\n"
           "`/ticket list group Content support` – list a group's open tickets\n"
           "`/ticket sla [123]` – SLA of a ticket, or of all tickets near or past breach\n"
           "`/ticket help` – this list";
}

}  // namespace tb::bot
