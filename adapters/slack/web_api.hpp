#pragma once

#include <memory>
#include <string>

#include "adapters/http/client.hpp"
#include "bot/ports/chat.hpp"

namespace tb::slack {

// bot::Chat over Slack's Web API at `api_url` (https://slack.com/api, or a fake's), sending
// `bot_token` (xoxb-) as a bearer. `client` outlives the returned object.
std::unique_ptr<bot::Chat> make_slack_chat(http::HttpClient& client, std::string api_url,
                                           std::string bot_token);

}  // namespace tb::slack
