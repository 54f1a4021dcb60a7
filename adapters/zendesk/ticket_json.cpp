#include "adapters/zendesk/ticket_json.hpp"

#include <cstdint>
#include <string>

namespace tb::zendesk {
namespace {

using Json = nlohmann::json;

std::optional<std::int64_t> id_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    if (it == object.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

std::string text_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Json comment_json(bot::NewComment const& comment) {
    Json out = {{"body", comment.body}, {"public", comment.is_public}};
    if (comment.author_id) out["author_id"] = *comment.author_id;
    if (!comment.uploads.empty()) out["uploads"] = comment.uploads;
    return out;
}

}  // namespace

char const* priority_name(bot::Priority priority) noexcept {
    switch (priority) {
        case bot::Priority::low:
            return "low";
        case bot::Priority::normal:
            return "normal";
        case bot::Priority::high:
            return "high";
        case bot::Priority::urgent:
            return "urgent";
    }
    return "normal";
}

Json create_body(bot::NewTicket const& ticket) {
    Json out = {{"subject", ticket.subject},
                {"comment", comment_json(ticket.comment)},
                {"priority", priority_name(ticket.priority)},
                {"tags", ticket.tags}};
    // Without a requester the API user would be the requester.
    if (!ticket.requester.name.empty() || !ticket.requester.email.empty()) {
        Json requester = Json::object();
        if (!ticket.requester.name.empty()) requester["name"] = ticket.requester.name;
        if (!ticket.requester.email.empty()) requester["email"] = ticket.requester.email;
        out["requester"] = std::move(requester);
    }
    if (ticket.group_id) out["group_id"] = *ticket.group_id;
    if (!ticket.external_id.empty()) out["external_id"] = ticket.external_id;
    if (ticket.follow_up_of) out["via_followup_source_id"] = *ticket.follow_up_of;
    return {{"ticket", std::move(out)}};
}

Json update_body(bot::NewComment const& comment, bot::TicketChange const& change) {
    Json out = {{"comment", comment_json(comment)}};
    if (change.status) out["status"] = *change.status;
    return {{"ticket", std::move(out)}};
}

std::optional<bot::Ticket> parse_ticket(Json const& ticket) {
    if (!ticket.is_object()) return std::nullopt;
    auto const id = id_of(ticket, "id");
    if (!id) return std::nullopt;
    bot::Ticket out;
    out.id = *id;
    out.subject = text_of(ticket, "subject");
    out.status = text_of(ticket, "status");
    out.priority = text_of(ticket, "priority");
    out.group_id = id_of(ticket, "group_id");
    out.assignee_id = id_of(ticket, "assignee_id");
    out.requester_id = id_of(ticket, "requester_id");
    if (auto const external = ticket.find("external_id");
        external != ticket.end() && external->is_string()) {
        out.external_id = external->get<std::string>();
    }
    return out;
}

}  // namespace tb::zendesk
