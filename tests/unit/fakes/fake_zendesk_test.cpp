#include "tests/fakes/fake_zendesk.hpp"

#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/fakes/spec_checker.hpp"
#include "tests/unit/fakes/test_client.hpp"

namespace {

using namespace tb::fakes;
using namespace tb::fakes::testing;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kEmail = "bridge@example.com";
constexpr auto kToken = "api-token-1";
// base64("bridge@example.com/token:api-token-1")
constexpr auto kAuth = "Basic YnJpZGdlQGV4YW1wbGUuY29tL3Rva2VuOmFwaS10b2tlbi0x";

struct Zendesk {
    FakeZendesk fake;
    TestClient client{fake.server().port()};

    Zendesk() { fake.expect_basic(kEmail, kToken); }

    Response send(http::verb verb, std::string target, json const& body = nullptr,
                  std::string idempotency_key = {}) {
        auto req = make_request(verb, std::move(target), body.is_null() ? "" : body.dump());
        req.set(http::field::authorization, kAuth);
        if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
        return client.send(std::move(req));
    }
};

json body_of(Response const& res) { return json::parse(res.body()); }

json new_ticket(std::string external_id = "slack:C1:1.2", std::string text = "Login is broken") {
    return {{"ticket",
             {{"subject", "Login broken"},
              {"comment", {{"body", text}, {"public", true}}},
              {"priority", "high"},
              {"external_id", external_id},
              {"tags", {"slack"}}}}};
}

bool is_iso8601(json const& v) {
    auto const s = v.get<std::string>();
    return s.size() == 20 && s[4] == '-' && s[10] == 'T' && s.back() == 'Z';
}

}  // namespace

TEST_CASE("fake zendesk creates a ticket: 201, Location and the documented shape") {
    Zendesk zd;
    auto const group = zd.fake.add_group("Partnerships Engineering");
    auto ticket = new_ticket();
    ticket["ticket"]["group_id"] = group;
    auto const res = zd.send(http::verb::post, "/api/v2/tickets", ticket);

    REQUIRE(res.result() == http::status::created);
    auto const t = body_of(res).at("ticket");
    CHECK(t["id"].is_number_integer());
    CHECK(res[http::field::location] ==
          zd.fake.base_url() + "/api/v2/tickets/" + std::to_string(t["id"].get<int>()) + ".json");
    CHECK(t["url"] == std::string{res[http::field::location]});
    CHECK(t["subject"] == "Login broken");
    CHECK(t["description"] == "Login is broken");
    CHECK(t["status"] == "new");
    CHECK(t["priority"] == "high");
    CHECK(t["group_id"] == group);
    CHECK(t["external_id"] == "slack:C1:1.2");
    CHECK(t["tags"] == json{"slack"});
    CHECK(t["requester_id"].is_number_integer());
    CHECK(is_iso8601(t["created_at"]));
    CHECK(is_iso8601(t["updated_at"]));
    CHECK(res["X-Rate-Limit"] != "");
    CHECK(res["X-Rate-Limit-Remaining"] != "");
    CHECK(zd.fake.violations().empty());
    REQUIRE(zd.fake.tickets().size() == 1);
    auto const stored = zd.fake.tickets().front();
    REQUIRE(stored.comments.size() == 1);
    CHECK(stored.comments[0].is_public);
    CHECK(stored.comments[0].body == "Login is broken");
    CHECK(zd.fake.count_creates() == 1);
}

TEST_CASE("fake zendesk replays a create with the same Idempotency-Key") {
    Zendesk zd;
    auto const first = zd.send(http::verb::post, "/api/v2/tickets", new_ticket(), "key-1");
    auto const second = zd.send(http::verb::post, "/api/v2/tickets", new_ticket(), "key-1");

    CHECK(first.result() == http::status::created);
    CHECK(first["x-idempotency-lookup"] == "miss");
    CHECK(second.result() == http::status::created);
    CHECK(second["x-idempotency-lookup"] == "hit");
    CHECK(body_of(second)["ticket"]["id"] == body_of(first)["ticket"]["id"]);
    CHECK(zd.fake.tickets().size() == 1);
    CHECK(zd.fake.count_creates() == 1);
}

TEST_CASE("fake zendesk refuses a reused Idempotency-Key with a different body") {
    Zendesk zd;
    zd.send(http::verb::post, "/api/v2/tickets", new_ticket(), "key-1");
    auto const res = zd.send(http::verb::post, "/api/v2/tickets",
                             new_ticket("slack:C1:1.2", "another text"), "key-1");
    CHECK(res.result() == http::status::bad_request);
    CHECK(body_of(res)["error"] == "IdempotentRequestError");
    CHECK(zd.fake.tickets().size() == 1);
}

TEST_CASE("fake zendesk forgets idempotency keys after two hours") {
    Zendesk zd;
    auto now = std::chrono::system_clock::now();
    zd.fake.set_clock([&now] { return now; });
    zd.send(http::verb::post, "/api/v2/tickets", new_ticket(), "key-1");
    now += 2h + 1s;
    auto const res = zd.send(http::verb::post, "/api/v2/tickets", new_ticket(), "key-1");
    CHECK(res["x-idempotency-lookup"] == "miss");
    CHECK(zd.fake.count_creates() == 2);
}

TEST_CASE("fake zendesk finds tickets by external_id, several when they share it") {
    Zendesk zd;
    zd.send(http::verb::post, "/api/v2/tickets", new_ticket("slack:A"));
    zd.send(http::verb::post, "/api/v2/tickets", new_ticket("slack:B"));
    zd.send(http::verb::post, "/api/v2/tickets", new_ticket("slack:A"));

    auto const a = body_of(zd.send(http::verb::get, "/api/v2/tickets?external_id=slack%3AA"));
    auto const none = body_of(zd.send(http::verb::get, "/api/v2/tickets?external_id=slack%3AZ"));
    CHECK(a["tickets"].size() == 2);
    CHECK(a["tickets"][0]["external_id"] == "slack:A");
    CHECK(none["tickets"].empty());
    CHECK(zd.fake.violations().empty());
}

TEST_CASE("fake zendesk updates a ticket, adds comments and refuses closed tickets") {
    Zendesk zd;
    auto const agent = zd.fake.add_user("Alex Agent", "alex@example.com");
    auto const id =
        body_of(zd.send(http::verb::post, "/api/v2/tickets", new_ticket()))["ticket"]["id"];
    auto const path = "/api/v2/tickets/" + std::to_string(id.get<int>());

    auto const res = zd.send(
        http::verb::put, path,
        {{"ticket", {{"assignee_id", agent}, {"comment", {{"body", "note"}, {"public", false}}}}}});
    REQUIRE(res.result() == http::status::ok);
    CHECK(body_of(res)["ticket"]["assignee_id"] == agent);
    CHECK(body_of(res)["ticket"]["status"] == "open");
    CHECK(body_of(res)["audit"]["events"].size() >= 2);
    auto const stored = zd.fake.ticket(id.get<std::int64_t>());
    REQUIRE(stored);
    REQUIRE(stored->comments.size() == 2);
    CHECK_FALSE(stored->comments[1].is_public);

    zd.send(http::verb::put, path, {{"ticket", {{"status", "closed"}}}});
    auto const closed = zd.send(http::verb::put, path, {{"ticket", {{"status", "open"}}}});
    CHECK(closed.result() == http::status::unprocessable_entity);
    CHECK(body_of(closed)["error"] == "RecordInvalid");
    CHECK(body_of(closed)["details"]["status"][0]["description"] ==
          "Status: closed prevents ticket update");
    CHECK(zd.send(http::verb::get, "/api/v2/tickets/999").result() == http::status::not_found);
}

TEST_CASE("fake zendesk answers 409 to a safe_update with a stale stamp") {
    Zendesk zd;
    auto const created = body_of(zd.send(http::verb::post, "/api/v2/tickets", new_ticket()));
    auto const id = created["ticket"]["id"].get<std::int64_t>();
    auto const stamp = created["ticket"]["updated_at"];
    auto const path = "/api/v2/tickets/" + std::to_string(id);
    zd.fake.agent_update(id, {{"status", "pending"}});

    auto const stale = zd.send(
        http::verb::put, path,
        {{"ticket", {{"status", "open"}, {"safe_update", true}, {"updated_stamp", stamp}}}});
    CHECK(stale.result() == http::status::conflict);
    auto const fresh_stamp = zd.fake.ticket(id)->updated_at;
    auto const fresh =
        zd.send(http::verb::put, path,
                {{"ticket",
                  {{"status", "open"}, {"safe_update", true}, {"updated_stamp", fresh_stamp}}}});
    CHECK(fresh.result() == http::status::ok);
    CHECK(zd.fake.ticket(id)->status == "open");
}

TEST_CASE("fake zendesk rate limit: 429 with Retry-After when the minute's budget is spent") {
    Zendesk zd;
    auto now = std::chrono::system_clock::now();
    zd.fake.set_clock([&now] { return now; });
    zd.fake.set_requests_per_minute(3);
    for (int i = 0; i < 3; ++i) {
        auto const ok = zd.send(http::verb::get, "/api/v2/groups");
        CHECK(ok.result() == http::status::ok);
        CHECK(ok["X-Rate-Limit"] == "3");
        CHECK(ok["X-Rate-Limit-Remaining"] == std::to_string(2 - i));
    }
    now += 20s;
    auto const limited = zd.send(http::verb::get, "/api/v2/groups");
    CHECK(limited.result() == http::status::too_many_requests);
    CHECK(limited[http::field::retry_after] == "40");
    CHECK(body_of(limited)["error"] == "APIRateLimitExceeded");
    now += 41s;
    CHECK(zd.send(http::verb::get, "/api/v2/groups").result() == http::status::ok);
}

TEST_CASE("fake zendesk limits updates per ticket to 30 in 10 minutes") {
    Zendesk zd;
    auto const id =
        body_of(zd.send(http::verb::post, "/api/v2/tickets", new_ticket()))["ticket"]["id"];
    auto const path = "/api/v2/tickets/" + std::to_string(id.get<int>());
    for (int i = 0; i < 30; ++i) {
        REQUIRE(zd.send(http::verb::put, path, {{"ticket", {{"tags", {"t" + std::to_string(i)}}}}})
                    .result() == http::status::ok);
    }
    auto const limited = zd.send(http::verb::put, path, {{"ticket", {{"tags", {"x"}}}}});
    CHECK(limited.result() == http::status::too_many_requests);
    CHECK(limited[http::field::retry_after] != "");
}

TEST_CASE("fake zendesk answers 401 to wrong or malformed credentials") {
    Zendesk zd;
    auto wrong = make_request(http::verb::get, "/api/v2/groups");
    // base64("bridge@example.com/token:wrong")
    wrong.set(http::field::authorization, "Basic YnJpZGdlQGV4YW1wbGUuY29tL3Rva2VuOndyb25n");
    auto const res = zd.client.send(wrong);
    CHECK(res.result() == http::status::unauthorized);
    CHECK(body_of(res)["error"] == "Couldn't authenticate you");
    CHECK(zd.fake.violations().empty());  // well-formed, just wrong

    auto missing = make_request(http::verb::get, "/api/v2/groups");
    CHECK(zd.client.send(missing).result() == http::status::unauthorized);
    CHECK(zd.fake.violations().size() == 1);
}

TEST_CASE("fake zendesk records spec violations and answers like the API") {
    Zendesk zd;
    auto const unwrapped = zd.send(http::verb::post, "/api/v2/tickets",
                                   {{"subject", "x"}, {"comment", {{"body", "y"}}}});
    CHECK(unwrapped.result() == http::status::bad_request);
    CHECK(body_of(unwrapped)["error"] == "ParameterMissing");
    auto const no_comment =
        zd.send(http::verb::post, "/api/v2/tickets", {{"ticket", {{"subject", "x"}}}});
    CHECK(no_comment.result() == http::status::unprocessable_entity);
    auto const unknown = zd.send(http::verb::get, "/api/v2/tikets");
    CHECK(unknown.result() == http::status::not_found);
    CHECK(body_of(unknown)["error"] == "InvalidEndpoint");
    CHECK(zd.fake.violations().size() >= 3);
    CHECK(zd.fake.tickets().empty());
}

TEST_CASE("fake zendesk pages comments with cursors") {
    Zendesk zd;
    auto const id =
        body_of(zd.send(http::verb::post, "/api/v2/tickets", new_ticket()))["ticket"]["id"];
    auto const base = "/api/v2/tickets/" + std::to_string(id.get<int>());
    for (int i = 0; i < 4; ++i) {
        zd.send(http::verb::put, base,
                {{"ticket", {{"comment", {{"body", "reply " + std::to_string(i)}}}}}});
    }
    auto const first = body_of(zd.send(http::verb::get, base + "/comments?page%5Bsize%5D=2"));
    CHECK(first["comments"].size() == 2);
    CHECK(first["meta"]["has_more"] == true);
    auto const next = first["links"]["next"].get<std::string>();
    auto const after = next.substr(next.find("/api/v2/"));
    auto const second = body_of(zd.send(http::verb::get, after));
    CHECK(second["comments"][0]["body"] == "reply 1");
    auto const third = body_of(zd.send(
        http::verb::get, second["links"]["next"].get<std::string>().substr(next.find("/api/v2/"))));
    CHECK(third["comments"].size() == 1);
    CHECK(third["meta"]["has_more"] == false);
    CHECK(third["links"]["next"].is_null());
}

TEST_CASE("fake zendesk users, groups and uploads") {
    Zendesk zd;
    auto const agent = zd.fake.add_user("Alex Agent", "alex@example.com");
    auto const found =
        body_of(zd.send(http::verb::get, "/api/v2/users/search?query=email%3Aalex%40example.com"));
    REQUIRE(found["users"].size() == 1);
    CHECK(found["users"][0]["id"] == agent);
    CHECK(found["users"][0]["role"] == "agent");

    auto const created =
        zd.send(http::verb::post, "/api/v2/users/create_or_update",
                {{"user", {{"name", "Pat Partner"}, {"email", "pat@partner.io"}}}});
    CHECK(created.result() == http::status::created);
    CHECK(body_of(created)["user"]["role"] == "end-user");
    auto const again = zd.send(http::verb::post, "/api/v2/users/create_or_update",
                               {{"user", {{"name", "Pat P."}, {"email", "pat@partner.io"}}}});
    CHECK(again.result() == http::status::ok);
    CHECK(body_of(again)["user"]["id"] == body_of(created)["user"]["id"]);
    auto const dup = zd.send(http::verb::post, "/api/v2/users",
                             {{"user", {{"name", "Pat"}, {"email", "pat@partner.io"}}}});
    CHECK(dup.result() == http::status::unprocessable_entity);

    zd.fake.add_group("3rd Line--Cyber Security");
    CHECK(body_of(zd.send(http::verb::get, "/api/v2/groups/assignable"))["groups"].size() == 1);

    auto upload_req =
        make_request(http::verb::post, "/api/v2/uploads?filename=log.txt", "hello", "text/plain");
    upload_req.set(http::field::authorization, kAuth);
    auto const upload = zd.client.send(upload_req);
    REQUIRE(upload.result() == http::status::created);
    auto const token = body_of(upload)["upload"]["token"].get<std::string>();
    CHECK(body_of(upload)["upload"]["attachment"]["size"] == 5);
    auto ticket = new_ticket();
    ticket["ticket"]["comment"]["uploads"] = {token};
    zd.send(http::verb::post, "/api/v2/tickets", ticket);
    auto const comment = zd.fake.tickets().front().comments.front();
    CHECK(comment.uploads == std::vector<std::string>{token});
    CHECK(comment.attachments.size() == 1);
    CHECK(zd.fake.violations().empty());
}

TEST_CASE("fake zendesk webhooks: create, read, patch, signing secret") {
    Zendesk zd;
    json const webhook{{"webhook",
                        {{"name", "ticketbridge"},
                         {"status", "active"},
                         {"endpoint", "https://tb.example.com/zendesk/webhook"},
                         {"http_method", "POST"},
                         {"request_format", "json"},
                         {"subscriptions", {"zen:event-type:ticket.created"}}}}};
    auto const created = zd.send(http::verb::post, "/api/v2/webhooks", webhook);
    REQUIRE(created.result() == http::status::created);
    auto const id = body_of(created)["webhook"]["id"].get<std::string>();
    CHECK(body_of(zd.send(http::verb::get, "/api/v2/webhooks"))["webhooks"].size() == 1);

    auto patch =
        make_request(http::verb::patch, "/api/v2/webhooks/" + id,
                     R"({"webhook":{"status":"inactive"}})", "application/merge-patch+json");
    patch.set(http::field::authorization, kAuth);
    CHECK(zd.client.send(patch).result() == http::status::no_content);
    CHECK(body_of(zd.send(http::verb::get, "/api/v2/webhooks/" + id))["webhook"]["status"] ==
          "inactive");
    auto const secret =
        body_of(zd.send(http::verb::get, "/api/v2/webhooks/" + id + "/signing_secret"));
    CHECK(secret["signing_secret"]["algorithm"] == "sha256");
    CHECK(secret["signing_secret"]["secret"] == zd.fake.webhooks()[0]["signing_secret"]["secret"]);
    CHECK(zd.fake.violations().empty());
}

TEST_CASE("fake zendesk incremental export follows agent changes with a cursor") {
    Zendesk zd;
    auto now = std::chrono::system_clock::now() - 1h;
    zd.fake.set_clock([&now] { return now; });
    auto const start =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    auto const id =
        body_of(zd.send(http::verb::post, "/api/v2/tickets", new_ticket()))["ticket"]["id"];

    auto const first = body_of(zd.send(
        http::verb::get, "/api/v2/incremental/tickets/cursor?start_time=" + std::to_string(start)));
    CHECK(first["tickets"].size() == 1);
    CHECK(first["end_of_stream"] == true);
    auto const cursor = first["after_cursor"].get<std::string>();
    auto const empty =
        body_of(zd.send(http::verb::get, "/api/v2/incremental/tickets/cursor?cursor=" + cursor));
    CHECK(empty["tickets"].empty());

    now += 5min;
    zd.fake.agent_update(id.get<std::int64_t>(), {{"status", "pending"}},
                         json{{"body", "We are on it"}, {"public", true}});
    auto const changed =
        body_of(zd.send(http::verb::get, "/api/v2/incremental/tickets/cursor?cursor=" + cursor));
    REQUIRE(changed["tickets"].size() == 1);
    CHECK(changed["tickets"][0]["status"] == "pending");
    auto const stored = zd.fake.ticket(id.get<std::int64_t>());
    CHECK(stored->comments.back().body == "We are on it");
    CHECK_FALSE(stored->comments.back().via_api);
    CHECK(zd.fake.violations().empty());
}

TEST_CASE("fake zendesk answers pass the lenient response check of the spec") {
    Zendesk zd;
    auto const& spec = SpecChecker::zendesk();
    auto check = [&](http::verb verb, std::string target, json const& body = nullptr) {
        auto req = make_request(verb, target, body.is_null() ? "" : body.dump());
        req.set(http::field::authorization, kAuth);
        auto const res = zd.client.send(req);
        auto const problems = spec.check_response(req, res);
        CHECK_MESSAGE(problems.empty(), target);
        return res;
    };
    auto const created = check(http::verb::post, "/api/v2/tickets", new_ticket());
    auto const id = std::to_string(body_of(created)["ticket"]["id"].get<int>());
    check(http::verb::get, "/api/v2/tickets/" + id);
    check(http::verb::put, "/api/v2/tickets/" + id, {{"ticket", {{"status", "open"}}}});
    check(http::verb::get, "/api/v2/tickets/" + id + "/comments");
    check(http::verb::get, "/api/v2/users/search?query=x");
    check(http::verb::get, "/api/v2/groups");
    check(http::verb::get, "/api/v2/incremental/tickets/cursor?start_time=0");
}
