#pragma once

#include <iosfwd>
#include <string>

#include "bot/config/settings.hpp"

namespace tb::cli {

struct SetupZendeskOptions {
    std::string url;                  // public base URL of this service: https://bridge.example.com
    std::string name = "ticketbridge";  // the webhook's name in Zendesk, how a rerun finds it
    bool dry_run = false;             // print what would be done, change nothing
};

// `ticketbridge setup-zendesk`: creates the webhook named `options.name` that sends the ticket
// events ticketbridge needs to `<url>/zendesk/webhook`, or updates it when its endpoint or events
// differ, or leaves it alone; then prints its signing secret as ZENDESK_WEBHOOK_SECRET=...
// Zendesk address and credentials come from `secrets` (the service's environment) and are never
// printed. Returns the exit code: 0 done, 1 Zendesk refused or was unreachable, 2 bad usage;
// failures are one line on `err`.
int run_setup_zendesk(SetupZendeskOptions const& options, bot::Secrets const& secrets,
                      std::ostream& out, std::ostream& err);

}  // namespace tb::cli
