#include "adapters/zendesk/webhook_events.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/zendesk/ticket_json.hpp"

namespace tb::zendesk {
namespace {

using nlohmann::json;
using Kind = bot::DeskEvent::Kind;

std::optional<std::int64_t> id_of(json const& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (!value.is_string()) return std::nullopt;
    auto const& text = value.get_ref<std::string const&>();
    std::int64_t id = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return id;
}

std::string text_of(json const& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
    return {};
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

json const& at(json const& object, char const* key) {
    static json const null;
    if (!object.is_object()) return null;
    auto const it = object.find(key);
    return it == object.end() ? null : *it;
}

Kind kind_of(std::string_view type) {
    static std::map<std::string_view, Kind> const kinds{
        {"ticket.status_changed", Kind::status_changed},
        {"ticket.priority_changed", Kind::priority_changed},
        {"ticket.agent_assignment_changed", Kind::assignee_changed},
        {"ticket.group_assignment_changed", Kind::group_changed},
        {"ticket.subject_changed", Kind::subject_changed},
        {"ticket.comment_added", Kind::comment_added},
        {"ticket.merged", Kind::merged},
        {"ticket.soft_deleted", Kind::deleted},
        {"ticket.permanently_deleted", Kind::deleted},
        {"ticket.marked_as_spam", Kind::deleted},
    };
    auto const it = kinds.find(type);
    return it == kinds.end() ? Kind::other : it->second;
}

}  // namespace

std::optional<bot::DeskEvent> parse_desk_event(std::string_view payload) {
    auto const body = json::parse(payload, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return std::nullopt;
    constexpr std::string_view kPrefix = "zen:event-type:";
    auto const type = text_of(at(body, "type"));
    auto const subject = text_of(at(body, "subject"));
    constexpr std::string_view kTicket = "zen:ticket:";
    if (!type.starts_with(kPrefix) || !subject.starts_with(kTicket)) return std::nullopt;
    auto const ticket = id_of(json(subject.substr(kTicket.size())));
    if (!ticket) return std::nullopt;

    bot::DeskEvent e;
    e.type = type.substr(kPrefix.size());
    e.kind = kind_of(e.type);
    e.ticket_id = *ticket;
    auto const& detail = at(body, "detail");
    auto const& event = at(body, "event");
    e.actor_id = id_of(at(detail, "actor_id"));
    // "2025-01-08T14:25:30.123456789Z": whole seconds are enough to order events.
    if (auto const time = text_of(at(body, "time")); time.size() >= 20) {
        if (auto const at_second = parse_instant(time.substr(0, 19) + "Z")) e.time = *at_second;
    }
    e.previous = text_of(at(event, "previous"));
    e.current = text_of(at(event, "current"));
    if (e.kind == Kind::status_changed || e.kind == Kind::priority_changed) {
        e.previous = lower(e.previous);
        e.current = lower(e.current);
    }
    if (e.kind == Kind::assignee_changed || e.kind == Kind::group_changed) e.current_id = id_of(at(event, "current"));
    if (e.kind == Kind::comment_added) {
        auto const& comment = at(event, "comment");
        e.comment_id = id_of(at(comment, "id"));
        e.comment_body = text_of(at(comment, "body"));
        e.comment_public = at(comment, "is_public").is_boolean() && at(comment, "is_public").get<bool>();
        auto const& author = at(comment, "author");
        e.comment_author_id = id_of(at(author, "id"));
        e.comment_author = text_of(at(author, "name"));
        e.comment_by_staff = at(author, "is_staff").is_boolean() && at(author, "is_staff").get<bool>();
    }
    if (e.kind == Kind::merged) {
        for (auto const* key : {"target_ticket_id", "merged_into", "current"}) {
            if (auto const target = id_of(at(event, key))) e.merged_into = target;
        }
    }
    return e;
}

}  // namespace tb::zendesk
