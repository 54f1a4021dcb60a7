#include "adapters/cli/demo_narration.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/tickets/triage.hpp"

namespace tb::cli::demo {
namespace {

using nlohmann::json;

constexpr char const* kQuote = "     | ";
constexpr char const* kQuoteBar = "     |";

std::string took(Millis span) {
    if (span < Millis{1000}) return std::to_string(span.count()) + " ms";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(span.count()) / 1000.0);
    return buffer;
}

std::string unescape(std::string text) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kEntities{
        {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}};
    for (auto const& [from, to] : kEntities) {
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
            text.replace(at, from.size(), to);
        }
    }
    return text;
}

// Slack's markup as a reader sees it: "<url|label>" becomes "label (url)", or just "label"
// when `show_urls` is false; *bold* loses its stars.
std::string readable(std::string const& markup, bool show_urls = true) {
    std::string out;
    for (std::size_t i = 0; i < markup.size(); ++i) {
        auto const close = markup[i] == '<' ? markup.find('>', i) : std::string::npos;
        if (close == std::string::npos) {
            if (markup[i] != '*') out += markup[i];
            continue;
        }
        auto const inner = markup.substr(i + 1, close - i - 1);
        auto const bar = inner.find('|');
        if (bar == std::string::npos) {
            out += inner;
        } else {
            out += inner.substr(bar + 1);
            if (show_urls) out += " (" + inner.substr(0, bar) + ")";
        }
        i = close;
    }
    return unescape(out);
}

void quote(std::ostream& out, std::string const& text) {
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find('\n', start), text.size());
        auto const line = text.substr(start, end - start);
        out << (line.empty() ? kQuoteBar : kQuote) << line << '\n';
        start = end + 1;
    }
}

std::string block_line(json const& block) {
    auto const type = block.value("type", "");
    std::string line;
    if (type == "section" && block.contains("text"))
        return readable(block["text"].value("text", ""), false);
    if (type == "section" && block.contains("fields")) {
        for (auto const& field : block["fields"]) {
            auto const text = field.value("text", "");
            auto const nl = text.find('\n');
            if (!line.empty()) line += "   ";
            line += readable(text.substr(0, nl)) + ": " +
                    (nl == std::string::npos ? "" : readable(text.substr(nl + 1)));
        }
    } else if (type == "actions") {
        for (auto const& element : block.value("elements", json::array())) {
            if (!line.empty()) line += " ";
            // Buttons show their text; selects their placeholder and a ▾.
            auto const& label = element.contains("text") ? element["text"] : element.value("placeholder", json::object());
            auto const shown = label.is_object() ? label.value("text", std::string{"?"}) : std::string{"?"};
            line += "[" + shown + (element.value("type", "") == "static_select" ? " ▾]" : "]");
        }
    } else if (type == "context") {
        for (auto const& element : block.value("elements", json::array()))
            line += readable(element.value("text", ""));
    }
    return line;
}

std::string card_link(json const& blocks) {
    for (auto const& block : blocks) {
        auto const text = block.contains("text") ? block["text"].value("text", "") : std::string{};
        auto const open = text.find("<http");
        auto const bar = text.find('|', open);
        if (open != std::string::npos && bar != std::string::npos)
            return text.substr(open + 1, bar - open - 1);
    }
    return {};
}

template <class Items, class Name>
std::string distinct(Items const& items, Name name) {
    std::vector<std::string> seen;
    for (auto const& item : items) {
        auto n = name(item);
        if (std::find(seen.begin(), seen.end(), n) == seen.end()) seen.push_back(std::move(n));
    }
    std::string out;
    for (auto const& n : seen) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
}

}  // namespace

void Narrator::introduce(std::string const& service_url, std::string const& database_url) {
    out_ << "ticketbridge demo: the real service, a fake Slack workspace and a fake Zendesk "
            "account, all on 127.0.0.1.\n"
         << "No accounts, nothing leaves this machine; the fakes check every API call against the "
            "published API\n"
         << "descriptions in ../shared/specs.\n\n"
         << "  service   " << service_url << "   (store " << database_url << ")\n"
         << "  Slack     " << world_.slack().api_url() << "   watching #" << kChannelName << " ("
         << kChannel << "); replies there become public Zendesk comments\n"
         << "  Zendesk   " << world_.zendesk().base_url() << "\n\n";
}

void Narrator::partner_asks() {
    auto const thread = world_.slack().thread(kChannel, world_.root_ts());
    out_ << "1. In Slack, a partner asks for help in #" << kChannelName << ":\n";
    if (!thread.empty()) {
        out_ << kQuote << "Pat Partner <pat@partner.example>\n";
        quote(out_, readable(thread.front().text));
    }
    out_ << '\n';
}

void Narrator::agent_reacts(LoopbackAnswer const& answer) {
    out_ << "2. Alex Agent reacts to it with :" << kTicketEmoji << ":\n"
         << "     Slack sends reaction_added, signed, to POST /slack/events: the service answered "
         << answer.status << " in " << took(answer.took) << ",\n"
         << "     after recording the event in its store; a job then does the work.\n\n";
}

void Narrator::ticket_opened(Millis after) {
    auto const tickets = world_.zendesk().tickets();
    if (tickets.empty()) return;
    auto const& ticket = tickets.front();
    auto const users = world_.zendesk().users();
    auto const requester = std::find_if(users.begin(), users.end(),
                                        [&](auto const& u) { return u.id == ticket.requester_id; });
    auto const thread = world_.slack().thread(kChannel, world_.root_ts());
    auto const text = thread.empty() ? std::string{} : thread.front().text;

    std::string why_priority = "the channel's default";
    std::string why_group = "the channel's group";
    for (auto const& rule : settings_.triage) {
        auto const keyword =
            std::find_if(rule.keywords.begin(), rule.keywords.end(),
                         [&](auto const& k) { return bot::mentions_keyword(text, k); });
        if (keyword == rule.keywords.end()) continue;
        if (rule.priority) why_priority = "triage rule: the message mentions \"" + *keyword + "\"";
        if (rule.group) why_group = "triage rule: the message mentions \"" + *keyword + "\"";
        break;
    }
    std::string tags;
    for (auto const& tag : ticket.tags) tags += (tags.empty() ? "" : ", ") + tag;

    out_ << "3. Zendesk: ticket #" << ticket.id << " opened, " << took(after)
         << " after the reaction\n"
         << "     subject      " << ticket.subject << '\n'
         << "     status       " << ticket.status << '\n'
         << "     priority     " << ticket.priority.value_or("-") << "   (" << why_priority << ")\n"
         << "     group        " << (ticket.group_id ? world_.group_name(*ticket.group_id) : "-")
         << "   (" << why_group << ")\n"
         << "     requester    "
         << (requester != users.end() ? requester->name + " <" + requester->email + ">"
                                      : std::string{"-"})
         << "   (the Slack author, matched by e-mail)\n"
         << "     tags         " << tags << '\n'
         << "     external id  " << ticket.external_id.value_or("-")
         << "   (one thread, one ticket)\n";
    if (!ticket.comments.empty()) {
        auto const& first = ticket.comments.front();
        out_ << "     first comment (" << (first.is_public ? "public" : "internal note") << "):\n";
        quote(out_, first.body);
    }
    out_ << '\n';
}

void Narrator::card_posted(Millis after) {
    auto const card = world_.card();
    if (!card) return;
    out_ << "4. Slack: the bot answers in the thread with the ticket card, " << took(after)
         << " after the reaction\n"
         << kQuote << "ticketbridge (bot)\n";
    for (auto const& block : card->blocks) {
        if (auto const line = block_line(block); !line.empty()) out_ << kQuote << line << '\n';
    }
    if (auto const link = card_link(card->blocks); !link.empty()) {
        out_ << "     the ticket number links to " << link << '\n';
    }
    out_ << "     notification text: \"" << unescape(card->text) << "\"\n";
    for (auto const& reaction : world_.slack().reactions(kChannel, world_.root_ts())) {
        out_ << "     and the partner's message now carries :" << reaction.name
             << ": (the ticket exists)\n";
    }
    out_ << '\n';
}

void Narrator::partner_replies(LoopbackAnswer const& answer) {
    out_ << "5. Pat Partner replies in the thread:\n";
    for (auto const& message : world_.slack().thread(kChannel, world_.root_ts())) {
        if (message.ts == world_.reply_ts()) quote(out_, readable(message.text));
    }
    out_ << "     Slack sends the message event to POST /slack/events: " << answer.status << " in "
         << took(answer.took) << '\n';
}

void Narrator::reply_copied(Millis after) {
    auto const tickets = world_.zendesk().tickets();
    if (tickets.empty() || tickets.front().comments.size() < 2) return;
    auto const& ticket = tickets.front();
    auto const& comment = ticket.comments.back();
    out_ << "   Zendesk: the reply is copied to ticket #" << ticket.id << " as a "
         << (comment.is_public ? "public comment" : "internal note") << ", " << took(after)
         << " later\n";
    quote(out_, comment.body);
    out_ << "     ticket #" << ticket.id << " now has " << ticket.comments.size()
         << " comments\n\n";
}

void Narrator::agent_answers_in_zendesk(int step, LoopbackAnswer const& answer) {
    auto const tickets = world_.zendesk().tickets();
    if (tickets.empty() || tickets.front().comments.empty()) return;
    out_ << step << ". Alex Agent answers Pat in Zendesk's agent workspace (a public reply):\n";
    quote(out_, tickets.front().comments.back().body);
    out_ << "     Zendesk's webhook sends the ticket event to POST /zendesk/webhook: " << answer.status << " in "
         << took(answer.took) << "\n";
}

void Narrator::zendesk_reply_posted(Millis after) {
    auto const line = world_.last_thread_line();
    if (!line) return;
    out_ << "   Slack: the reply appears in Pat's thread, " << took(after) << " after it was written:\n";
    quote(out_, readable(*line));
    out_ << '\n';
}

void Narrator::agent_commands(int step, std::string const& command, LoopbackAnswer const& answer) {
    out_ << step << ". Alex Agent types in the channel:\n" << kQuote << "/ticket " << command << '\n'
         << "     Slack sends the command to POST /slack/commands: " << answer.status << " in "
         << took(answer.took) << ", answering only Alex: ";
    auto const ack = nlohmann::json::parse(answer.body, nullptr, false);
    out_ << '"' << (ack.is_object() ? ack.value("text", std::string{}) : answer.body) << "\"\n";
}

void Narrator::command_done(std::string const& step, Millis after) {
    auto const tickets = world_.zendesk().tickets();
    if (tickets.empty()) return;
    auto const& ticket = tickets.front();
    std::string assignee = "nobody";
    for (auto const& user : world_.zendesk().users()) {
        if (ticket.assignee_id == user.id) assignee = user.name;
    }
    out_ << "   Zendesk: ticket #" << ticket.id << " is now " << ticket.status << ", assigned to " << assignee
         << ", " << took(after) << " later\n";
    if (auto const answer = world_.command_answer(step)) out_ << "     Alex is told: \"" << readable(*answer) << "\"\n";
    if (auto const line = world_.last_thread_line()) out_ << "     the thread says: \"" << readable(*line) << "\"\n";
    if (auto const card = world_.card(); card && !card->edits.empty()) {
        out_ << "     and the card in the thread now shows status " << ticket.status << '\n';
    }
    out_ << '\n';
}

void Narrator::sla_speeds_up(int step, std::int64_t speed, LoopbackAnswer const& answer) {
    out_ << step << ". Service levels. The demo team owes a first reply within 2 working hours and is warned\n"
         << "   1 hour ahead (the default is 2 working days, warned 4 working hours ahead). So that you need\n"
         << "   not wait, the SLA clock now runs " << speed << "x faster: a second is " << speed / 60 << " minutes.\n"
         << "   Pat asks something else in #" << kChannelName << ", Alex reacts with :" << kTicketEmoji
         << ": (" << answer.status << " in " << took(answer.took) << "), and nobody answers:\n";
    quote(out_, "Hello again: our logo no longer shows on the sign-in page since this morning.");
}

void Narrator::sla_announced(std::string const& alert, Millis after, std::int64_t speed) {
    auto const sla_minutes = after.count() * speed / 60'000;
    out_ << "   Slack #" << kAlertChannelName << " (and the ticket's thread), " << took(after) << " later (about "
         << sla_minutes << " minutes on the SLA clock):\n";
    quote(out_, readable(alert));
}

void Narrator::sla_once(std::size_t alerts) {
    out_ << "   Each (ticket, policy, warning or breach) is announced once: " << alerts
         << " alerts after more ticks;\n"
         << "   restarts and replicas do not repeat them. `/ticket sla N` shows the clocks,\n"
         << "   `ticketbridge sla-report --from … --to …` the share met against the targets.\n\n";
}

void Narrator::api_calls() {
    auto const slack_calls = world_.slack().calls();
    auto const zendesk_requests = world_.zendesk().requests();
    out_ << "What the service called (the fakes answered):\n"
         << "  Slack Web API  " << slack_calls.size()
         << " calls: " << distinct(slack_calls, [](auto const& c) { return c.method; }) << '\n'
         << "  Zendesk API    " << zendesk_requests.size() << " calls: "
         << distinct(zendesk_requests,
                     [](auto const& r) {
                         auto const target = std::string{r.target()};
                         return std::string{r.method_string()} + " " +
                                target.substr(0, target.find('?'));
                     })
         << '\n';
    auto violations = world_.slack().violations();
    auto const more = world_.zendesk().violations();
    violations.insert(violations.end(), more.begin(), more.end());
    if (violations.empty()) {
        out_ << "  every call matched the published API descriptions\n\n";
        return;
    }
    out_ << "  " << violations.size() << " call(s) did not match the published API descriptions:\n";
    for (auto const& v : violations) out_ << "    " << v << '\n';
    out_ << '\n';
}

void Narrator::finished(Millis total) {
    out_ << "Done in " << took(total)
         << ". To connect a real workspace and Zendesk account, see README.md,\n"
         << "\"Connecting Slack and Zendesk\".\n";
}

void Narrator::keeps_running(std::string const& service_url) {
    out_ << "\nStill serving (--keep-running); press Ctrl-C to stop.\n"
         << "  curl " << service_url << "/metrics\n"
         << "  curl " << service_url << "/readyz\n"
         << "  curl -u " << kZendeskEmail << "/token:" << kZendeskToken << " "
         << world_.zendesk().base_url() << "/api/v2/tickets.json\n"
         << std::flush;
}

}  // namespace tb::cli::demo
