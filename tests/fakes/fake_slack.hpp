#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/clock.hpp"
#include "tests/fakes/fake_http_server.hpp"
#include "tests/fakes/fake_slack_types.hpp"

namespace tb::fakes {

namespace slack_detail {
struct State;
}

// An in-memory Slack workspace behind the Web API (`<base>/api/<method>`), the file host
// (`/files-pri/...`) and response_url sinks (`/commands/...`, `/actions/...`).
// Every request is checked against the published Web API description; what fails is recorded in
// violations() and answered as Slack would. All members are thread-safe.
class FakeSlack {
public:
    static constexpr char const* kTeamId = "T0FAKE";

    FakeSlack();
    explicit FakeSlack(bot::Clock const& clock);  // clock outlives this and every handler()
    ~FakeSlack();
    FakeSlack(FakeSlack const&) = delete;
    FakeSlack& operator=(FakeSlack const&) = delete;

    // Seeding
    void add_user(std::string id, std::string name, std::string real_name, std::string email,
                  bool is_bot = false);
    void add_channel(std::string id, std::string name, bool bot_is_member = true);
    SlackMessage add_message(std::string channel, std::string ts, std::string user,
                             std::string text, std::string thread_ts = {},
                             std::vector<SlackFile> files = {});
    void add_reaction(std::string const& channel, std::string const& ts, std::string name,
                      std::string user);
    void add_usergroup(std::string id, std::vector<std::string> users);
    void set_bot(std::string user_id, std::string bot_id);  // whom the bot token belongs to
    void expect_token(std::string token);  // unset: any token is accepted, none is not_authed
    // A trigger_id is good for one views.open within 3 s of issued_at (default: now).
    std::string issue_trigger(std::string trigger_id);
    std::string issue_trigger(std::string trigger_id, bot::Instant issued_at);
    // Where file URLs and response URLs point; start() sets it.
    void set_base_url(std::string base_url);

    // Rate limits. The per-channel chat.postMessage rule is on by default; method tiers are off.
    void enforce_tiers(bool on);
    void enforce_channel_limit(bool on);
    std::size_t ratelimited_count() const;

    // URLs into this fake (need the base URL)
    std::string response_url(std::string const& id) const;         // <base>/commands/<id>
    std::string action_response_url(std::string const& id) const;  // <base>/actions/<id>
    std::string file_url(std::string const& file_id) const;        // url_private of a seeded file

    // Snapshots for tests
    std::vector<SlackMessage> messages(std::string const& channel) const;  // by ts
    std::vector<SlackMessage> thread(std::string const& channel, std::string const& ts) const;
    std::vector<SlackReaction> reactions(std::string const& channel, std::string const& ts) const;
    std::vector<SlackEphemeral> ephemerals() const;
    std::vector<ResponseUrlPost> response_url_posts() const;
    std::vector<SlackView> views() const;
    std::vector<SlackCall> calls(std::string const& method) const;
    std::vector<SlackCall> calls() const;
    std::vector<std::string> violations() const;

    // Hosting
    Response handle(Request const& req);
    Handler handler();  // shares the workspace, so it may outlive this object
    void start();       // serve on 127.0.0.1 with an owned FakeHttpServer
    FakeHttpServer& server();
    std::string base_url() const;  // "http://127.0.0.1:PORT" once started
    std::string api_url() const;   // base_url() + "/api", the service's SLACK_API_URL

private:
    std::shared_ptr<slack_detail::State> state_;
    std::shared_ptr<FakeHttpServer> server_;  // shared_ptr so only start() needs the server's code
};

}  // namespace tb::fakes
