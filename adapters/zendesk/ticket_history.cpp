#include "adapters/zendesk/ticket_history.hpp"

#include <algorithm>
#include <chrono>

#include "adapters/zendesk/ticket_json.hpp"

namespace tb::zendesk {
namespace {

namespace bhttp = http::bhttp;
using bot::ApiResult;

constexpr int kMaxCommentPages = 10;
// Zendesk gives no data for the last minute and refuses a start_time in it.
constexpr auto kExportLag = std::chrono::minutes{1};

}  // namespace

std::optional<bot::DeskComment> parse_comment(Json const& comment) {
    if (!comment.is_object()) return std::nullopt;
    auto const id = comment.find("id");
    if (id == comment.end() || !id->is_number_integer()) return std::nullopt;
    bot::DeskComment out;
    out.id = id->get<std::int64_t>();
    if (auto const author = comment.find("author_id"); author != comment.end() && author->is_number_integer()) {
        out.author_id = author->get<bot::DeskUserId>();
    }
    if (auto const pub = comment.find("public"); pub != comment.end() && pub->is_boolean()) {
        out.is_public = pub->get<bool>();
    }
    out.body = text_of(comment, "plain_body");
    if (out.body.empty()) out.body = text_of(comment, "body");
    if (auto const at = parse_instant(text_of(comment, "created_at"))) out.created_at = *at;
    if (auto const via = comment.find("via"); via != comment.end() && via->is_object()) {
        out.via_api = text_of(*via, "channel") == "api";
    }
    return out;
}

asio::awaitable<ApiResult<bot::ChangedTickets>> read_changed_tickets(ApiCaller& api, bot::ExportPosition from) {
    std::string path = "/api/v2/incremental/tickets/cursor.json?";
    if (!from.cursor.empty()) {
        path += "cursor=" + encoded(from.cursor);
    } else {
        auto const latest = std::chrono::system_clock::now() - kExportLag;
        auto const start = std::min<std::chrono::system_clock::time_point>(from.start, latest);
        path += "start_time=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                    start.time_since_epoch()).count());
    }
    auto answer = co_await api.send(request(bhttp::verb::get, std::move(path)));
    if (!answer) co_return failure<bot::ChangedTickets>(answer.error());
    auto const tickets = answer->find("tickets");
    if (tickets == answer->end() || !tickets->is_array()) {
        co_return failure<bot::ChangedTickets>(malformed("the tickets"));
    }
    bot::ChangedTickets out;
    for (auto const& item : *tickets) {
        if (auto ticket = parse_ticket(item)) out.tickets.push_back(std::move(*ticket));
    }
    out.next_cursor = text_of(*answer, "after_cursor");
    if (out.next_cursor.empty()) out.next_cursor = from.cursor;
    auto const end = answer->find("end_of_stream");
    out.end_of_stream = end == answer->end() || !end->is_boolean() || end->get<bool>();
    co_return out;
}

asio::awaitable<ApiResult<std::vector<bot::DeskComment>>> read_comments(ApiCaller& api, bot::TicketId id) {
    std::vector<bot::DeskComment> out;
    std::string path = "/api/v2/tickets/" + std::to_string(id) + "/comments?page%5Bsize%5D=100";
    for (int page = 0; page < kMaxCommentPages && !path.empty(); ++page) {
        auto answer = co_await api.send(request(bhttp::verb::get, path));
        if (!answer) co_return failure<std::vector<bot::DeskComment>>(answer.error());
        for (auto const& item : answer->value("comments", Json::array())) {
            if (auto comment = parse_comment(item)) out.push_back(std::move(*comment));
        }
        path.clear();
        auto const meta = answer->value("meta", Json::object());
        auto const links = answer->value("links", Json::object());
        if (meta.is_object() && meta.value("has_more", Json{}) == true && links.is_object()) {
            path = api.path_below(links.value("next", Json{}));
        }
    }
    co_return out;
}

}  // namespace tb::zendesk
