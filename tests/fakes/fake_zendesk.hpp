#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_http_server.hpp"

namespace tb::fakes {

struct ZendeskComment {
    std::int64_t id = 0;
    std::string body;
    std::string html_body;
    bool is_public = true;
    std::optional<std::int64_t> author_id;
    std::vector<std::string> uploads;  // upload tokens as sent
    nlohmann::json attachments = nlohmann::json::array();
    std::string created_at;
    bool via_api = true;  // false when written by agent_update ("in the Zendesk UI")
};

struct ZendeskTicket {
    std::int64_t id = 0;
    std::string subject;
    std::string description;  // body of the first comment
    std::string status = "new";
    std::optional<std::string> priority;
    std::optional<std::string> type;
    std::optional<std::int64_t> requester_id;
    std::optional<std::int64_t> submitter_id;
    std::optional<std::int64_t> assignee_id;
    std::optional<std::int64_t> group_id;
    std::optional<std::string> external_id;
    std::vector<std::string> tags;
    std::string created_at;
    std::string updated_at;
    std::vector<ZendeskComment> comments;
    std::optional<std::int64_t> followup_source_id;  // the closed ticket this one follows up
};

struct ZendeskUser {
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::string role;  // "end-user", "agent" or "admin"
    std::optional<std::string> external_id;
    std::string created_at;
};

// Zendesk Support API on loopback: in-memory tickets, users, groups, uploads and webhooks. Every
// request is checked against SpecChecker::zendesk(); violations are recorded and answered with the
// error the real API would give. Errors, shapes and limits follow ../shared/specs.
class FakeZendesk {
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    explicit FakeZendesk(std::optional<TlsIdentity> tls = std::nullopt);
    ~FakeZendesk();
    FakeZendesk(FakeZendesk const&) = delete;
    FakeZendesk& operator=(FakeZendesk const&) = delete;

    std::string base_url() const;  // the account address, e.g. http://127.0.0.1:PORT
    FakeHttpServer& server();
    // The request-to-response function the server runs; usable directly without a socket.
    Response handle(Request const& req);

    // Only these credentials authenticate (otherwise any well-formed credentials do). The
    // e-mail also becomes an admin user, the default submitter and comment author.
    void expect_basic(std::string email, std::string api_token);
    void expect_bearer(std::string token);
    // Account-wide budget per rolling minute; 0 = unlimited. Every answer reports it in
    // X-Rate-Limit / X-Rate-Limit-Remaining.
    void set_requests_per_minute(int n);
    // Time for timestamps, idempotency expiry and rate limits (default: the system clock).
    void set_clock(Clock now);

    std::int64_t add_user(std::string name, std::string email, std::string role = "agent");
    std::int64_t add_group(std::string name);
    // New tickets are numbered from `last + 1`, as in an account that already has tickets.
    void number_tickets_after(std::int64_t last);

    // Changes a ticket as an agent would in Zendesk's UI (not through the API, so no request is
    // recorded and no limit applies). `fields`: status, priority, group_id, assignee_id, subject,
    // tags. `comment`: {"body" or "html_body", "public", "author_id"}. Throws if no such ticket.
    void agent_update(std::int64_t ticket_id, nlohmann::json const& fields,
                      std::optional<nlohmann::json> const& comment = std::nullopt);

    std::vector<ZendeskTicket> tickets() const;  // snapshot, with comments, by id
    std::optional<ZendeskTicket> ticket(std::int64_t id) const;
    std::vector<ZendeskUser> users() const;
    nlohmann::json webhooks() const;  // as GET /api/v2/webhooks/{id} shows them, plus secrets
    std::vector<Request> requests() const;
    std::vector<std::string> violations() const;
    std::size_t count_creates() const;
    std::size_t rate_limited_count() const;  // requests answered 429  // tickets created through POST /api/v2/tickets

    struct State;

private:
    std::unique_ptr<State> state_;
    std::unique_ptr<FakeHttpServer> server_;
};

}  // namespace tb::fakes
