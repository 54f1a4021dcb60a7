#include "adapters/zendesk/api.hpp"

#include <chrono>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "adapters/zendesk/ticket_json.hpp"
#include "tests/fakes/fake_zendesk.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using nlohmann::json;
using tb::bot::NewComment;
using tb::bot::NewTicket;
using tb::bot::TicketChange;
using tb::fakes::FakeZendesk;
using tb::fakes::Fault;
using tb::zendesk::ZendeskAuth;
using Kind = tb::bot::ApiError::Kind;

constexpr char const* kEmail = "bridge@example.com";
constexpr char const* kToken = "zd-api-token-secret";

struct Zendesk {
    FakeZendesk fake;
    asio::io_context ioc;
    tb::http::HttpClient client{ioc.get_executor(), tb::http::ClientSettings{}};
    std::unique_ptr<tb::bot::TicketDesk> desk;

    Zendesk() {
        fake.expect_basic(kEmail, kToken);
        desk = tb::zendesk::make_zendesk_desk(client, fake.base_url() + "/",
                                              ZendeskAuth{kEmail, kToken, {}});
    }

    template <class T>
    T run(asio::awaitable<T> task) {
        std::optional<T> out;
        asio::co_spawn(ioc, std::move(task), [&out](std::exception_ptr e, T result) {
            if (e) std::rethrow_exception(e);
            out.emplace(std::move(result));
        });
        ioc.restart();
        ioc.run_for(10s);
        REQUIRE_MESSAGE(out.has_value(), "the call did not finish in time");
        return std::move(*out);
    }

    tb::bot::Ticket create(std::string external_id = "slack:T0:C0:1700000000.000100",
                           std::string key = "key-1") {
        auto made = run(desk->create(new_ticket(std::move(external_id)), std::move(key)));
        REQUIRE(made.has_value());
        return *made;
    }

    std::size_t requests_to(std::string const& target) const {
        std::size_t n = 0;
        for (auto const& req : fake.requests()) n += req.target() == target ? 1 : 0;
        return n;
    }

    void check_no_violations() const {
        auto const found = fake.violations();
        for (auto const& violation : found) MESSAGE(violation);
        CHECK(found.empty());
    }

    static NewTicket new_ticket(std::string external_id) {
        NewTicket ticket;
        ticket.subject = "Login is broken";
        ticket.comment.body = "Alice: Login is broken\nhttps://fake.slack.com/archives/C0/p1";
        ticket.requester = {"Alice Example", "alice@example.com"};
        ticket.priority = tb::bot::Priority::high;
        ticket.tags = {"slack", "login"};
        ticket.external_id = std::move(external_id);
        return ticket;
    }
};

}  // namespace

TEST_CASE("zendesk api: create sends the ticket as documented, with the idempotency key") {
    Zendesk zd;
    auto const group = zd.fake.add_group("Partnerships Engineering");
    auto request = Zendesk::new_ticket("slack:T0:C0:1.2");
    request.group_id = group;
    auto const made = zd.run(zd.desk->create(request, "create:slack:T0:C0:1.2"));
    REQUIRE(made.has_value());
    CHECK(made->id > 0);
    CHECK(made->subject == "Login is broken");
    CHECK(made->status == "new");
    CHECK(made->priority == "high");
    CHECK(made->group_id == group);
    CHECK(made->external_id == "slack:T0:C0:1.2");

    auto const stored = zd.fake.ticket(made->id);
    REQUIRE(stored.has_value());
    CHECK(stored->tags == std::vector<std::string>{"slack", "login"});
    REQUIRE(stored->comments.size() == 1);
    CHECK(stored->comments[0].is_public);
    CHECK(stored->comments[0].body.starts_with("Alice: Login is broken"));
    auto const requester = stored->requester_id;
    REQUIRE(requester.has_value());
    bool found = false;
    for (auto const& user : zd.fake.users()) {
        if (user.id == *requester) found = user.email == "alice@example.com";
    }
    CHECK(found);
    CHECK(made->requester_id == requester);

    auto const sent = zd.fake.requests().back();
    CHECK(sent["Idempotency-Key"] == "create:slack:T0:C0:1.2");
    CHECK(std::string{sent[tb::http::bhttp::field::authorization]}.starts_with("Basic "));
    auto const body = json::parse(sent.body());
    CHECK(body["ticket"]["requester"] ==
          json{{"name", "Alice Example"}, {"email", "alice@example.com"}});
    CHECK_FALSE(body["ticket"].contains("via_followup_source_id"));
    CHECK(zd.desk->agent_url(made->id) ==
          zd.fake.base_url() + "/agent/tickets/" + std::to_string(made->id));
    zd.check_no_violations();
}

TEST_CASE("zendesk api: the same idempotency key returns the same ticket") {
    Zendesk zd;
    auto const first = zd.create("slack:T0:C0:1.2", "key-same");
    auto const second = zd.create("slack:T0:C0:1.2", "key-same");
    CHECK(second.id == first.id);
    CHECK(zd.fake.count_creates() == 1);

    auto const clash = zd.run(zd.desk->create(Zendesk::new_ticket("slack:other"), "key-same"));
    REQUIRE_FALSE(clash.has_value());
    CHECK(clash.error().kind == Kind::rejected);
    CHECK(clash.error().message.find("IdempotentRequestError") != std::string::npos);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: find_by_external_id returns the oldest match or nothing") {
    Zendesk zd;
    auto const none = zd.run(zd.desk->find_by_external_id("slack:T0:C0:1.2"));
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());
    zd.create("slack:T0:C0:other", "key-0");
    auto const first = zd.create("slack:T0:C0:1.2", "key-1");
    zd.create("slack:T0:C0:1.2", "key-2");
    auto const found = zd.run(zd.desk->find_by_external_id("slack:T0:C0:1.2"));
    REQUIRE(found.has_value());
    REQUIRE(found->has_value());
    CHECK((*found)->id == first.id);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: get, and comment with a status change") {
    Zendesk zd;
    auto const made = zd.create();
    auto const got = zd.run(zd.desk->get(made.id));
    REQUIRE(got.has_value());
    CHECK(got->subject == "Login is broken");

    auto const agent = zd.fake.add_user("Alex Agent", "alex@example.com");
    NewComment note;
    note.body = "Looking into it";
    note.is_public = false;
    note.author_id = agent;
    TicketChange change;
    change.status = "pending";
    auto const updated = zd.run(zd.desk->comment(made.id, note, change));
    REQUIRE(updated.has_value());
    CHECK(updated->status == "pending");
    auto const stored = zd.fake.ticket(made.id);
    REQUIRE(stored->comments.size() == 2);
    CHECK(stored->comments[1].body == "Looking into it");
    CHECK_FALSE(stored->comments[1].is_public);
    CHECK(stored->comments[1].author_id == agent);

    NewComment reply;
    reply.body = "Fixed";
    auto const plain = zd.run(zd.desk->comment(made.id, reply, TicketChange{}));
    REQUIRE(plain.has_value());
    CHECK(plain->status == "pending");
    auto const sent = json::parse(zd.fake.requests().back().body());
    CHECK_FALSE(sent["ticket"].contains("status"));
    CHECK_FALSE(sent["ticket"]["comment"].contains("uploads"));

    auto const missing = zd.run(zd.desk->get(999'999));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == Kind::not_found);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: a closed ticket refuses comments with `closed`") {
    Zendesk zd;
    auto const made = zd.create();
    zd.fake.agent_update(made.id, {{"status", "closed"}});
    NewComment reply;
    reply.body = "Any news?";
    auto const refused = zd.run(zd.desk->comment(made.id, reply, TicketChange{}));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == Kind::closed);
    CHECK(refused.error().message == "Status: closed prevents ticket update");
    CHECK_FALSE(refused.error().transient());
    zd.check_no_violations();
}

TEST_CASE("zendesk api: a follow-up names the closed ticket") {
    Zendesk zd;
    auto const closed = zd.create("slack:T0:C0:1.2", "key-1");
    zd.fake.agent_update(closed.id, {{"status", "closed"}});
    auto follow_up = Zendesk::new_ticket("slack:T0:C0:1.2");
    follow_up.follow_up_of = closed.id;
    auto const made = zd.run(zd.desk->create(follow_up, "key-2"));
    REQUIRE(made.has_value());
    CHECK(made->id != closed.id);
    auto const stored = zd.fake.ticket(made->id);
    REQUIRE(stored.has_value());
    CHECK(stored->followup_source_id == closed.id);
    auto const sent = json::parse(zd.fake.requests().back().body());
    CHECK(sent["ticket"]["via_followup_source_id"] == closed.id);
    zd.check_no_violations();

    SUBCASE("the fake flags a follow-up of a ticket that is not closed") {
        auto const open = zd.create("slack:T0:C0:9.9", "key-3");
        auto wrong = Zendesk::new_ticket("slack:T0:C0:9.9");
        wrong.follow_up_of = open.id;
        auto const ignored = zd.run(zd.desk->create(wrong, "key-4"));
        REQUIRE(ignored.has_value());
        CHECK_FALSE(zd.fake.ticket(ignored->id)->followup_source_id);
        CHECK(zd.fake.violations().size() == 1);
    }
}

TEST_CASE("zendesk api: an upload token lands as an attachment on the comment") {
    Zendesk zd;
    auto const made = zd.create();
    auto const token = zd.run(zd.desk->upload("error log.txt", "text/plain", "stack trace"));
    REQUIRE(token.has_value());
    CHECK_FALSE(token->empty());
    auto const sent = zd.fake.requests().back();
    CHECK(sent.target() == "/api/v2/uploads?filename=error%20log.txt");
    CHECK(sent[tb::http::bhttp::field::content_type] == "text/plain");
    CHECK(sent.body() == "stack trace");

    NewComment comment;
    comment.body = "Log from Slack";
    comment.uploads = {*token};
    REQUIRE(zd.run(zd.desk->comment(made.id, comment, TicketChange{})).has_value());
    auto const stored = zd.fake.ticket(made.id);
    auto const& attachments = stored->comments.back().attachments;
    REQUIRE(attachments.size() == 1);
    CHECK(attachments[0]["file_name"] == "error log.txt");
    CHECK(attachments[0]["size"] == 11);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: users by e-mail and by id") {
    Zendesk zd;
    auto const alex = zd.fake.add_user("Alex Agent", "alex@example.com");
    zd.fake.add_user("Alexandra", "alexandra@example.com");
    auto const found = zd.run(zd.desk->find_user("ALEX@example.com"));
    REQUIRE(found.has_value());
    CHECK(*found == alex);
    auto const nobody = zd.run(zd.desk->find_user("nobody@example.com"));
    REQUIRE(nobody.has_value());
    CHECK_FALSE(nobody->has_value());
    auto const name = zd.run(zd.desk->user_name(alex));
    REQUIRE(name.has_value());
    CHECK(*name == "Alex Agent");
    auto const missing = zd.run(zd.desk->user_name(123));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == Kind::not_found);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: a burst of lookups on a cold cache reads the groups once") {
    Zendesk zd;
    zd.fake.add_group("Partnerships Engineering");
    int answered = 0;
    for (int i = 0; i < 8; ++i) {
        asio::co_spawn(zd.ioc, zd.desk->group_id("Partnerships Engineering"),
                       [&answered](std::exception_ptr e, tb::bot::ApiResult<std::optional<tb::bot::GroupId>> id) {
                           if (!e && id && *id) ++answered;
                       });
    }
    zd.ioc.restart();
    zd.ioc.run_for(10s);
    CHECK(answered == 8);
    CHECK(zd.requests_to("/api/v2/groups") == 1);
}

TEST_CASE("zendesk api: when the one group load fails, the lookups waiting on it share its failure") {
    Zendesk zd;
    zd.fake.add_group("Partnerships Engineering");
    zd.fake.server().fail_next(Fault::status_500);
    int failed = 0;
    for (int i = 0; i < 8; ++i) {
        asio::co_spawn(zd.ioc, zd.desk->group_id("Partnerships Engineering"),
                       [&failed](std::exception_ptr e, tb::bot::ApiResult<std::optional<tb::bot::GroupId>> id) {
                           if (!e && !id && id.error().kind == Kind::unavailable) ++failed;
                       });
    }
    zd.ioc.restart();
    zd.ioc.run_for(10s);
    CHECK(failed == 8);
    CHECK(zd.requests_to("/api/v2/groups") == 1);
    // The next lookup loads again, and finds it.
    auto const later = zd.run(zd.desk->group_id("Partnerships Engineering"));
    REQUIRE(later.has_value());
    CHECK(later->has_value());
    CHECK(zd.requests_to("/api/v2/groups") == 2);
}

TEST_CASE("zendesk api: groups are looked up from one cached list") {
    Zendesk zd;
    auto const pe = zd.fake.add_group("Partnerships Engineering");
    auto const cs = zd.fake.add_group("Content support");
    auto const by_name = zd.run(zd.desk->group_id("Content support"));
    REQUIRE(by_name.has_value());
    CHECK(*by_name == cs);
    auto const any_case = zd.run(zd.desk->group_id("partnerships engineering"));
    REQUIRE(any_case.has_value());
    CHECK(*any_case == pe);
    auto const name = zd.run(zd.desk->group_name(pe));
    REQUIRE(name.has_value());
    CHECK(*name == "Partnerships Engineering");
    auto const names = zd.run(zd.desk->group_names());
    REQUIRE(names.has_value());
    CHECK(*names == std::vector<std::string>{"Partnerships Engineering", "Content support"});
    CHECK(zd.requests_to("/api/v2/groups") == 1);

    auto const unknown = zd.run(zd.desk->group_id("No such group"));
    REQUIRE(unknown.has_value());
    CHECK_FALSE(unknown->has_value());
    auto const no_name = zd.run(zd.desk->group_name(1));
    REQUIRE_FALSE(no_name.has_value());
    CHECK(no_name.error().kind == Kind::not_found);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: errors map to the flows' kinds") {
    Zendesk zd;
    auto const made = zd.create();

    SUBCASE("429 with Retry-After is rate_limited") {
        zd.fake.server().fail_next(Fault::status_429, 1, 9s);
        auto const limited = zd.run(zd.desk->get(made.id));
        REQUIRE_FALSE(limited.has_value());
        CHECK(limited.error().kind == Kind::rate_limited);
        CHECK(limited.error().retry_after == std::chrono::milliseconds{9000});
    }
    SUBCASE("the account's per-minute budget is rate_limited too") {
        zd.fake.set_requests_per_minute(1);
        auto const limited = zd.run(zd.desk->get(made.id));
        REQUIRE_FALSE(limited.has_value());
        CHECK(limited.error().kind == Kind::rate_limited);
        REQUIRE(limited.error().retry_after);
        CHECK(*limited.error().retry_after >= 1s);
    }
    SUBCASE("500 and a dropped connection are unavailable") {
        zd.fake.server().fail_next(Fault::status_500);
        auto const failed = zd.run(zd.desk->get(made.id));
        REQUIRE_FALSE(failed.has_value());
        CHECK(failed.error().kind == Kind::unavailable);
        zd.fake.server().fail_next(Fault::close, 2);
        auto const dropped = zd.run(zd.desk->get(made.id));
        REQUIRE_FALSE(dropped.has_value());
        CHECK(dropped.error().kind == Kind::unavailable);
    }
    SUBCASE("422 is rejected with Zendesk's words") {
        auto bad = Zendesk::new_ticket("slack:bad");
        bad.group_id = 424242;
        auto const refused = zd.run(zd.desk->create(bad, "key-bad"));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == Kind::rejected);
        CHECK(refused.error().message == "Group: is invalid");
    }
    SUBCASE("wrong credentials are rejected without echoing them") {
        auto wrong = tb::zendesk::make_zendesk_desk(zd.client, zd.fake.base_url(),
                                                    ZendeskAuth{kEmail, "not-the-token", {}});
        auto const refused = zd.run(wrong->get(made.id));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == Kind::rejected);
        CHECK(refused.error().message == "authentication failed");
    }
    zd.check_no_violations();
}

TEST_CASE("zendesk api: requests stay within the account's budget, and a 429 or none left holds back the next") {
    Zendesk zd;
    auto const made = zd.create();
    auto const sent = [&] { return zd.fake.requests().size(); };

    SUBCASE("zendesk.requests_per_minute: 6 lets one go, then one in ten seconds; a command is not kept waiting") {
        auto desks = tb::zendesk::make_zendesk_desks(zd.client, zd.fake.base_url(), ZendeskAuth{kEmail, kToken, {}}, 6);
        auto& budgeted = desks.interactive;
        CHECK(zd.run(budgeted->get(made.id)).has_value());
        auto const before = sent();
        auto const held = zd.run(budgeted->get(made.id));
        REQUIRE_FALSE(held.has_value());
        CHECK(held.error().kind == Kind::rate_limited);
        CHECK(held.error().message.find("zendesk.requests_per_minute") != std::string::npos);
        REQUIRE(held.error().retry_after);
        CHECK(*held.error().retry_after > 9s);
        CHECK(sent() == before);  // Zendesk never saw it
    }
    SUBCASE("bulk work waits its turn in place instead of coming back later") {
        auto desks = tb::zendesk::make_zendesk_desks(zd.client, zd.fake.base_url(), ZendeskAuth{kEmail, kToken, {}}, 60);
        auto const started = std::chrono::steady_clock::now();
        for (int i = 0; i < 3; ++i) CHECK(zd.run(desks.bulk->get(made.id)).has_value());
        CHECK(std::chrono::steady_clock::now() - started > 500ms);  // the third waited for its turn
        CHECK(zd.run(desks.interactive->get(made.id)).has_value());  // and a command still has one
    }
    SUBCASE("after a 429 every caller waits its Retry-After") {
        auto budgeted = tb::zendesk::make_zendesk_desk(zd.client, zd.fake.base_url(), ZendeskAuth{kEmail, kToken, {}}, 700);
        zd.fake.server().fail_next(Fault::status_429, 1, 45s);  // longer than bulk work waits in place
        auto const limited = zd.run(budgeted->get(made.id));
        REQUIRE_FALSE(limited.has_value());
        CHECK(limited.error().kind == Kind::rate_limited);
        auto const before = sent();
        auto const held = zd.run(budgeted->find_by_external_id("slack:T0:C0:1700000000.000100"));
        REQUIRE_FALSE(held.has_value());
        CHECK(held.error().kind == Kind::rate_limited);
        REQUIRE(held.error().retry_after);
        CHECK(*held.error().retry_after > 40s);
        CHECK(sent() == before);
    }
    SUBCASE("X-Rate-Limit-Remaining: 0 (other clients spent the minute) holds back the next") {
        auto desks = tb::zendesk::make_zendesk_desks(zd.client, zd.fake.base_url(), ZendeskAuth{kEmail, kToken, {}}, 700);
        auto& budgeted = desks.interactive;
        zd.fake.set_requests_per_minute(static_cast<int>(sent()) + 1);  // this call spends the last one
        CHECK(zd.run(budgeted->get(made.id)).has_value());
        auto const before = sent();
        auto const held = zd.run(budgeted->get(made.id));
        REQUIRE_FALSE(held.has_value());
        CHECK(held.error().kind == Kind::rate_limited);
        CHECK(sent() == before);
    }
    zd.check_no_violations();
}

TEST_CASE("zendesk api: OAuth tokens go as a bearer") {
    Zendesk zd;
    auto const made = zd.create();
    zd.fake.expect_bearer("oauth-access-token");
    auto oauth = tb::zendesk::make_zendesk_desk(zd.client, zd.fake.base_url(),
                                                ZendeskAuth{{}, {}, "oauth-access-token"});
    auto const got = zd.run(oauth->get(made.id));
    REQUIRE(got.has_value());
    CHECK(std::string{zd.fake.requests().back()[tb::http::bhttp::field::authorization]} ==
          "Bearer oauth-access-token");
    zd.check_no_violations();
}

namespace {

using tb::bot::TicketQuery;
using Scope = TicketQuery::Scope;

// 2026-11-20T09:15:00Z
constexpr auto kMorning = std::chrono::sys_days{std::chrono::November / 20 / 2026} + 9h + 15min;

json sent_body(FakeZendesk const& fake) { return json::parse(fake.requests().back().body()); }

std::vector<tb::bot::TicketId> ids_of(tb::bot::TicketPage const& page) {
    std::vector<tb::bot::TicketId> out;
    for (auto const& ticket : page.tickets) out.push_back(ticket.id);
    return out;
}

}  // namespace

TEST_CASE("zendesk api: update sends only the fields it changes") {
    Zendesk zd;
    auto const made = zd.create();
    auto const agent = zd.fake.add_user("Alex Agent", "alex@example.com");
    auto const group = zd.fake.add_group("Content support");
    auto const path = "/api/v2/tickets/" + std::to_string(made.id);

    struct Row {
        TicketChange change;
        json expected;
    };
    std::vector<Row> rows(5);
    rows[0].change.status = "pending";
    rows[0].expected = {{"status", "pending"}};
    rows[1].change.priority = tb::bot::Priority::urgent;
    rows[1].expected = {{"priority", "urgent"}};
    rows[2].change.group_id = group;
    rows[2].expected = {{"group_id", group}};
    rows[3].change.assignee_id = agent;
    rows[3].expected = {{"assignee_id", agent}};
    rows[4].change.subject = "Login is broken on iOS";
    rows[4].expected = {{"subject", "Login is broken on iOS"}};
    for (auto const& row : rows) {
        CAPTURE(row.expected.dump());
        auto const updated = zd.run(zd.desk->update(made.id, row.change, std::nullopt));
        REQUIRE(updated.has_value());
        auto const sent = zd.fake.requests().back();
        CHECK(sent.method() == tb::http::bhttp::verb::put);
        CHECK(sent.target() == path);
        CHECK(json::parse(sent.body()) == json{{"ticket", row.expected}});
    }
    auto const stored = zd.fake.ticket(made.id);
    REQUIRE(stored.has_value());
    CHECK(stored->status == "pending");
    CHECK(stored->priority == "urgent");
    CHECK(stored->group_id == group);
    CHECK(stored->assignee_id == agent);
    CHECK(stored->subject == "Login is broken on iOS");
    CHECK(stored->comments.size() == 1);

    TicketChange all;
    all.status = "solved";
    all.priority = tb::bot::Priority::low;
    all.group_id = group;
    all.assignee_id = agent;
    all.subject = "Fixed";
    NewComment note;
    note.body = "Deployed the fix";
    note.is_public = false;
    note.author_id = agent;
    note.uploads = {"upload-token"};
    auto const solved = zd.run(zd.desk->update(made.id, all, note));
    REQUIRE(solved.has_value());
    CHECK(solved->status == "solved");
    CHECK(solved->priority == "low");
    CHECK(solved->subject == "Fixed");
    CHECK(sent_body(zd.fake) == json{{"ticket",
                                      {{"status", "solved"},
                                       {"priority", "low"},
                                       {"group_id", group},
                                       {"assignee_id", agent},
                                       {"subject", "Fixed"},
                                       {"comment",
                                        {{"body", "Deployed the fix"},
                                         {"public", false},
                                         {"author_id", agent},
                                         {"uploads", {"upload-token"}}}}}}});
    CHECK(zd.fake.ticket(made.id)->comments.back().body == "Deployed the fix");

    NewComment reply;
    reply.body = "Thanks";
    REQUIRE(zd.run(zd.desk->update(made.id, TicketChange{}, reply)).has_value());
    CHECK(sent_body(zd.fake) ==
          json{{"ticket", {{"comment", {{"body", "Thanks"}, {"public", true}}}}}});
    zd.check_no_violations();
}

TEST_CASE("zendesk api: solving without an assignee is rejected with Zendesk's reason") {
    Zendesk zd;
    auto const made = zd.create();
    TicketChange solve;
    solve.status = "solved";
    NewComment note;
    note.body = "Done";
    auto const refused = zd.run(zd.desk->update(made.id, solve, note));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == Kind::rejected);
    CHECK(refused.error().message == "Assignee: is required when solving a ticket");
    CHECK_FALSE(refused.error().transient());
    auto const unchanged = zd.fake.ticket(made.id);
    CHECK(unchanged->status == "new");
    CHECK(unchanged->comments.size() == 1);

    SUBCASE("an assignee in the same update solves it") {
        solve.assignee_id = zd.fake.add_user("Alex Agent", "alex@example.com");
        auto const solved = zd.run(zd.desk->update(made.id, solve, std::nullopt));
        REQUIRE(solved.has_value());
        CHECK(solved->status == "solved");
    }
    SUBCASE("an assignee on the ticket is enough") {
        zd.fake.agent_update(made.id,
                             {{"assignee_id", zd.fake.add_user("Sam", "sam@example.com")}});
        auto const solved = zd.run(zd.desk->update(made.id, solve, std::nullopt));
        REQUIRE(solved.has_value());
        CHECK(solved->status == "solved");
    }
    zd.check_no_violations();
}

TEST_CASE("zendesk api: find_person returns the exact address with its role") {
    Zendesk zd;
    auto const alex = zd.fake.add_user("Alex Agent", "alex@example.com", "agent");
    auto const ada = zd.fake.add_user("Ada Admin", "ada@example.com", "admin");
    auto const eve = zd.fake.add_user("Eve End", "eve@example.com", "end-user");
    zd.fake.add_user("Alexandra", "alexandra@example.com");

    auto const agent = zd.run(zd.desk->find_person("ALEX@Example.com"));
    REQUIRE(agent.has_value());
    REQUIRE(agent->has_value());
    CHECK((*agent)->id == alex);
    CHECK((*agent)->name == "Alex Agent");
    CHECK((*agent)->email == "alex@example.com");
    CHECK((*agent)->role == "agent");
    CHECK((*agent)->is_agent());
    CHECK(zd.fake.requests().back().target() ==
          "/api/v2/users/search?query=email%3AALEX%40Example.com");

    auto const admin = zd.run(zd.desk->find_person("ada@example.com"));
    REQUIRE((admin.has_value() && admin->has_value()));
    CHECK((*admin)->id == ada);
    CHECK((*admin)->role == "admin");
    CHECK((*admin)->is_agent());

    auto const end_user = zd.run(zd.desk->find_person("eve@example.com"));
    REQUIRE((end_user.has_value() && end_user->has_value()));
    CHECK((*end_user)->id == eve);
    CHECK((*end_user)->role == "end-user");
    CHECK_FALSE((*end_user)->is_agent());

    auto const nobody = zd.run(zd.desk->find_person("nobody@example.com"));
    REQUIRE(nobody.has_value());
    CHECK_FALSE(nobody->has_value());
    zd.check_no_violations();
}

TEST_CASE("zendesk api: search lists unsolved tickets oldest first in each scope") {
    Zendesk zd;
    auto now = std::chrono::system_clock::time_point{kMorning};
    zd.fake.set_clock([&now] { return now; });
    auto const alex = zd.fake.add_user("Alex Agent", "alex@example.com");
    auto const sam = zd.fake.add_user("Sam Agent", "sam@example.com");
    auto const support = zd.fake.add_group("Content support");
    auto const partners = zd.fake.add_group("Partnerships Engineering");
    auto const at = [&](std::chrono::minutes offset, std::string key) {
        now = kMorning + offset;
        return zd.create("slack:" + key, key).id;
    };
    auto const late_unassigned = at(180min, "a");
    auto const oldest_alex = at(0min, "b");
    auto const unassigned = at(60min, "c");
    auto const solved = at(120min, "d");
    auto const pending_sam = at(30min, "e");
    auto const closed = at(240min, "f");
    zd.fake.agent_update(late_unassigned, {{"group_id", support}});
    zd.fake.agent_update(oldest_alex, {{"assignee_id", alex}, {"group_id", partners}});
    zd.fake.agent_update(solved, {{"assignee_id", alex}, {"status", "solved"}});
    zd.fake.agent_update(pending_sam,
                         {{"assignee_id", sam}, {"group_id", support}, {"status", "pending"}});
    zd.fake.agent_update(closed, {{"assignee_id", alex}, {"status", "closed"}});

    auto const search = [&](TicketQuery query) {
        auto page = zd.run(zd.desk->search(query));
        REQUIRE(page.has_value());
        return *page;
    };
    auto const all = search(TicketQuery{});
    CHECK(ids_of(all) == std::vector{oldest_alex, pending_sam, unassigned, late_unassigned});
    CHECK(all.total == 4);
    CHECK(all.tickets[0].created_at == kMorning);
    CHECK(all.tickets[0].assignee_id == alex);
    CHECK(all.tickets[1].status == "pending");
    CHECK(zd.fake.requests().back().target() ==
          "/api/v2/search?query=type%3Aticket%20status%3Csolved"
          "&sort_by=created_at&sort_order=asc&per_page=100");

    auto const mine = search({Scope::assigned_to, alex, {}, 100, {}});
    CHECK(ids_of(mine) == std::vector{oldest_alex});
    CHECK(mine.total == 1);
    CHECK(zd.fake.requests().back().target().find("%20assignee%3A" + std::to_string(alex) + "&") !=
          std::string::npos);

    auto const nobodys = search({Scope::unassigned, {}, {}, 100, {}});
    CHECK(ids_of(nobodys) == std::vector{unassigned, late_unassigned});
    CHECK(zd.fake.requests().back().target().find("%20assignee%3Anone&") != std::string::npos);

    auto const in_group = search({Scope::in_group, {}, support, 100, {}});
    CHECK(ids_of(in_group) == std::vector{pending_sam, late_unassigned});
    CHECK(in_group.total == 2);

    auto const first_two = search({Scope::all_open, {}, {}, 2, {}});
    CHECK(ids_of(first_two) == std::vector{oldest_alex, pending_sam});
    CHECK(first_two.total == 4);
    CHECK(zd.fake.requests().back().target().ends_with("&per_page=2"));

    zd.fake.agent_update(unassigned, {{"priority", "urgent"}});  // the others are High
    auto const urgent = search({Scope::all_open, {}, {}, 100, "urgent"});
    CHECK(ids_of(urgent) == std::vector{unassigned});
    CHECK(urgent.total == 1);
    CHECK(zd.fake.requests().back().target().find("%20priority%3Aurgent&") != std::string::npos);

    auto const no_one = zd.run(zd.desk->search({Scope::assigned_to, {}, {}, 100, {}}));
    REQUIRE_FALSE(no_one.has_value());
    CHECK(no_one.error().kind == Kind::rejected);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: search pages through results up to the limit") {
    Zendesk zd;
    std::vector<tb::bot::TicketId> made;
    for (int i = 0; i < 105; ++i) {
        auto const key = "k" + std::to_string(i);
        made.push_back(zd.create("slack:" + key, key).id);
    }
    auto const before = zd.fake.requests().size();
    auto const page = zd.run(zd.desk->search({Scope::all_open, {}, {}, 103, {}}));
    REQUIRE(page.has_value());
    CHECK(page->total == 105);
    REQUIRE(page->tickets.size() == 103);
    CHECK(ids_of(*page) == std::vector(made.begin(), made.begin() + 103));
    auto const sent = zd.fake.requests();
    REQUIRE(sent.size() == before + 2);
    CHECK(sent.back().target().ends_with("&per_page=100&page=2"));
    zd.check_no_violations();
}

TEST_CASE("zendesk api: groups lists ids and names from the shared cache") {
    Zendesk zd;
    auto const pe = zd.fake.add_group("Partnerships Engineering");
    auto const cs = zd.fake.add_group("Content support");
    auto const all = zd.run(zd.desk->groups());
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].id == pe);
    CHECK((*all)[0].name == "Partnerships Engineering");
    CHECK((*all)[1].id == cs);
    CHECK((*all)[1].name == "Content support");
    auto const by_name = zd.run(zd.desk->group_id("Content support"));
    REQUIRE(by_name.has_value());
    CHECK(*by_name == cs);
    REQUIRE(zd.run(zd.desk->groups()).has_value());
    CHECK(zd.requests_to("/api/v2/groups") == 1);
    zd.check_no_violations();
}

TEST_CASE("zendesk api: tickets carry created_at and updated_at") {
    Zendesk zd;
    auto now = std::chrono::system_clock::time_point{kMorning};
    zd.fake.set_clock([&now] { return now; });
    auto const made = zd.create();
    CHECK(made.created_at == kMorning);
    CHECK(made.updated_at == kMorning);
    now += 2h;
    zd.fake.agent_update(made.id, {{"status", "open"}});
    auto const got = zd.run(zd.desk->get(made.id));
    REQUIRE(got.has_value());
    CHECK(got->created_at == kMorning);
    CHECK(got->updated_at == kMorning + 2h);

    using tb::zendesk::parse_instant;
    CHECK(parse_instant("2026-11-20T09:15:00Z") == tb::bot::Instant{kMorning});
    CHECK(parse_instant("1970-01-01T00:00:00Z") == tb::bot::Instant{});
    for (auto const* bad : {"", "2026-11-20", "2026-11-20 09:15:00Z", "2026-11-20T09:15:00",
                            "2026-11-20T09:15:00+01:00", "2026-13-20T09:15:00Z", "yesterday"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_instant(bad).has_value());
    }
    auto const odd = tb::zendesk::parse_ticket(
        json{{"id", 7}, {"created_at", "20 Nov 2026"}, {"updated_at", 1763630100}});
    REQUIRE(odd.has_value());
    CHECK(odd->created_at == tb::bot::Instant{});
    CHECK(odd->updated_at == tb::bot::Instant{});
    zd.check_no_violations();
}

TEST_CASE("zendesk api: Zendesk's documented ticket example parses with its organisation, for SLA segments") {
    std::ifstream in{std::string{TB_SPECS_DIR} + "/zendesk/samples/api/from-oas/TicketResponseExample.json"};
    REQUIRE(in);
    auto const ticket = tb::zendesk::parse_ticket(json::parse(in)["ticket"]);
    REQUIRE(ticket);
    CHECK(ticket->id == 35436);
    CHECK(ticket->organization_id == 509974);
    CHECK(ticket->requester_id == 20978392);
    CHECK(ticket->status == "open");
    json no_org = {{"id", 7}, {"subject", "s"}, {"status", "new"}, {"organization_id", nullptr}};
    auto const without = tb::zendesk::parse_ticket(no_org);
    REQUIRE(without);
    CHECK_FALSE(without->organization_id.has_value());
}
