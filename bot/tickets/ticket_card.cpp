#include "bot/tickets/ticket_card.hpp"

#include <utility>

namespace tb::bot {

asio::awaitable<TicketCard> ticket_card(TicketDesk& desk, Ticket ticket, std::optional<TicketId> follows) {
    TicketCard card;
    card.ticket_id = ticket.id;
    card.url = desk.agent_url(ticket.id);
    card.subject = ticket.subject;
    card.status = ticket.status;
    card.priority = ticket.priority;
    card.follow_up_of = follows;
    if (ticket.group_id) {
        if (auto name = co_await desk.group_name(*ticket.group_id)) card.group = std::move(*name);
    }
    if (ticket.assignee_id) {
        if (auto name = co_await desk.user_name(*ticket.assignee_id)) card.assignee = std::move(*name);
    }
    if (auto names = co_await desk.group_names()) card.groups = std::move(*names);
    co_return card;
}

}  // namespace tb::bot
