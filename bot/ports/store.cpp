#include "bot/ports/store.hpp"

namespace tb::bot {

char const* to_string(Source source) noexcept {
    switch (source) {
        case Source::slack_event: return "slack_event";
        case Source::slack_command: return "slack_command";
        case Source::slack_interaction: return "slack_interaction";
        case Source::zendesk_webhook: return "zendesk_webhook";
        case Source::scheduled: return "scheduled";
    }
    return "unknown";
}

}  // namespace tb::bot
