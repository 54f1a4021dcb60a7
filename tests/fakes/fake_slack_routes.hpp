#pragma once

// Internal to FakeSlack: how a request reaches the workspace.

#include "tests/fakes/fake_http_server.hpp"
#include "tests/fakes/fake_slack_state.hpp"

namespace tb::fakes::slack_detail {

Response route(State& state, Request const& req);

}  // namespace tb::fakes::slack_detail
