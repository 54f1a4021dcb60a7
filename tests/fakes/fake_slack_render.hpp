#pragma once

// Internal to FakeSlack: workspace objects in the shapes Slack's Web API answers with
// (see specs/slack/samples/field-catalogues/api and the Web API spec's examples).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_slack_state.hpp"

namespace tb::fakes::slack_detail {

nlohmann::json render_user(SlackUser const& user);
nlohmann::json render_channel(SlackChannel const& channel);
nlohmann::json render_message(Workspace const& ws, SlackMessage const& message,
                              std::string_view files_base);
nlohmann::json render_file(SlackFile const& file, SlackMessage const& owner,
                           std::string_view files_base);
nlohmann::json render_reactions(std::vector<SlackReaction> const& reactions);

std::string file_path(SlackFile const& file);  // "/files-pri/T0FAKE-F1/name"
std::string file_download_path(SlackFile const& file);
std::string permalink(SlackMessage const& message);

}  // namespace tb::fakes::slack_detail
