#include "adapters/zendesk/ticket_json.hpp"

#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <string>
#include <string_view>

#include "adapters/zendesk/api_call.hpp"

namespace tb::zendesk {
namespace {

using Json = nlohmann::json;

std::optional<std::int64_t> id_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    if (it == object.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
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

Json update_body(bot::TicketChange const& change, std::optional<bot::NewComment> const& comment) {
    Json out = Json::object();
    if (change.status) out["status"] = *change.status;
    if (change.priority) out["priority"] = priority_name(*change.priority);
    if (change.group_id) out["group_id"] = *change.group_id;
    if (change.assignee_id) out["assignee_id"] = *change.assignee_id;
    if (change.subject) out["subject"] = *change.subject;
    if (comment) out["comment"] = comment_json(*comment);
    return {{"ticket", std::move(out)}};
}

std::optional<bot::Instant> parse_instant(std::string const& text) {
    // Exactly YYYY-MM-DDTHH:MM:SSZ; get_time alone would accept looser forms.
    static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
    if (text.size() != kShape.size()) return std::nullopt;
    for (std::size_t i = 0; i < kShape.size(); ++i) {
        auto const c = static_cast<unsigned char>(text[i]);
        if (kShape[i] == 'd' ? std::isdigit(c) == 0 : text[i] != kShape[i]) return std::nullopt;
    }
    std::tm tm{};
    std::istringstream in{text};
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    if (in.fail()) return std::nullopt;
    auto const seconds = timegm(&tm);
    if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::from_time_t(seconds));
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
    out.organization_id = id_of(ticket, "organization_id");
    if (auto const external = ticket.find("external_id");
        external != ticket.end() && external->is_string()) {
        out.external_id = external->get<std::string>();
    }
    if (auto const tags = ticket.find("tags"); tags != ticket.end() && tags->is_array()) {
        for (auto const& tag : *tags) {
            if (tag.is_string()) out.tags.push_back(tag.get<std::string>());
        }
    }
    if (auto const at = parse_instant(text_of(ticket, "created_at"))) out.created_at = *at;
    if (auto const at = parse_instant(text_of(ticket, "updated_at"))) out.updated_at = *at;
    return out;
}

}  // namespace tb::zendesk
