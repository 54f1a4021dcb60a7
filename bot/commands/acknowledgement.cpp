#include <variant>

#include "bot/commands/command.hpp"

namespace tb::bot {

Acknowledgement acknowledge(std::string_view text) {
    auto const parsed = parse_command(text);
    if (auto const* error = std::get_if<CommandError>(&parsed)) {
        return {error->message + "\n" + error->usage, true, "invalid"};
    }
    auto const& command = std::get<Command>(parsed);
    auto const ref = command.ticket ? "#" + std::to_string(*command.ticket) : std::string{};
    switch (command.verb) {
        case Verb::help: return {help_text(), true, "answered"};
        case Verb::list: return {"Looking up tickets…", false};
        case Verb::sla: return {ref.empty() ? "Looking up SLA figures…" : "Looking up SLA figures of " + ref + "…", false};
        case Verb::status: return {"Looking up " + ref + "…", false};
        default: return {"Working on " + ref + "…", false};
    }
}

}  // namespace tb::bot
