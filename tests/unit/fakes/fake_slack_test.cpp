#include "tests/fakes/fake_slack.hpp"

#include <set>
#include <string>

#include <doctest/doctest.h>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include "tests/fakes/spec_checker.hpp"
#include "tests/unit/fakes/test_client.hpp"

namespace {

using namespace tb::fakes;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr char const* kToken = "xoxb-1111-2222-fake-bot-token";

class ManualClock final : public tb::bot::Clock {
public:
    tb::bot::Instant now() const override { return now_; }
    void advance(std::chrono::milliseconds by) { now_ += by; }

private:
    tb::bot::Instant now_ = tb::bot::from_unix_ms(1'700'000'100'000);
};

Request api_json(std::string const& method, json const& body, std::string const& token = kToken) {
    Request req{http::verb::post, "/api/" + method, 11};
    req.set(http::field::host, "127.0.0.1:9");
    req.set(http::field::content_type, "application/json; charset=utf-8");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.body() = body.dump();
    req.prepare_payload();
    return req;
}

Request api_form(std::string const& method, std::string body, std::string const& token = kToken) {
    Request req{http::verb::post, "/api/" + method, 11};
    req.set(http::field::host, "127.0.0.1:9");
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

Request api_get(std::string const& method, std::string const& query,
                std::string const& token = kToken) {
    Request req{http::verb::get, "/api/" + method + "?" + query, 11};
    req.set(http::field::host, "127.0.0.1:9");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    return req;
}

std::string encoded(std::string const& raw) {
    return boost::urls::encode(raw, boost::urls::unreserved_chars);
}

json body_of(Response const& res) { return json::parse(res.body()); }

// A workspace with two channels, three people and a thread.
struct Seeded {
    ManualClock clock;
    FakeSlack slack{clock};

    Seeded() {
        slack.expect_token(kToken);
        slack.set_bot("U0BOT", "B0BOT");
        slack.add_user("U0ALICE", "alice", "Alice Example", "alice@example.org");
        slack.add_user("U0BOB", "bob", "Bob Example", "Bob@Example.org");
        slack.add_channel("C0PARTNER", "login-partner-support");
        slack.add_channel("C0OTHER", "login-iaa");
        slack.add_channel("C0OUTSIDE", "not-joined", false);
        slack.add_message("C0PARTNER", "1700000000.000100", "U0ALICE", "login is broken");
        slack.add_message("C0PARTNER", "1700000001.000200", "U0BOB", "me too", "1700000000.000100");
    }

    json call(Request const& req) { return body_of(slack.handle(req)); }
};

}  // namespace

TEST_CASE("fake slack auth.test names the bot, then missing and wrong tokens are refused") {
    Seeded s;
    auto const ok = s.call(api_form("auth.test", ""));
    CHECK(ok["ok"] == true);
    CHECK(ok["user_id"] == "U0BOT");
    CHECK(ok["bot_id"] == "B0BOT");
    CHECK(ok["team_id"] == FakeSlack::kTeamId);

    auto const missing = s.slack.handle(api_form("auth.test", "", ""));
    CHECK(missing.result() == http::status::ok);  // Slack errors are HTTP 200
    CHECK(body_of(missing)["error"] == "not_authed");
    CHECK(s.call(api_form("auth.test", "", "xoxb-0000-wrong-token"))["error"] == "invalid_auth");
    // A token in the form body works with Slack but not in this project: Bearer only.
    auto const in_body = s.call(api_form("auth.test", std::string{"token="} + kToken, ""));
    CHECK(in_body["error"] == "invalid_auth");
    CHECK(s.slack.calls("auth.test").size() == 4);
    CHECK(s.slack.calls("auth.test")[1].error == "not_authed");
}

TEST_CASE("fake slack chat.postMessage stores messages with increasing ts and threads replies") {
    Seeded s;
    auto const first = s.call(api_json("chat.postMessage", {{"channel", "C0PARTNER"},
                                                            {"text", "Ticket #101 opened"},
                                                            {"thread_ts", "1700000000.000100"}}));
    INFO(first.dump());
    REQUIRE(first["ok"] == true);
    CHECK(first["channel"] == "C0PARTNER");
    CHECK(first["message"]["text"] == "Ticket #101 opened");
    CHECK(first["message"]["bot_id"] == "B0BOT");
    CHECK(first["message"]["thread_ts"] == "1700000000.000100");
    CHECK(first["message"]["ts"] == first["ts"]);

    auto const blocks =
        json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "*card*"}}}}});
    auto const second =
        s.call(api_form("chat.postMessage", "channel=C0PARTNER&blocks=" + encoded(blocks.dump())));
    REQUIRE(second["ok"] == true);
    CHECK(second["message"]["blocks"] == blocks);
    CHECK(second["ts"].get<std::string>() > first["ts"].get<std::string>());
    CHECK(first["ts"].get<std::string>() > "1700000001.000200");

    auto const thread = s.slack.thread("C0PARTNER", "1700000000.000100");
    REQUIRE(thread.size() == 3);
    CHECK(thread[0].text == "login is broken");
    CHECK(thread[2].user == "U0BOT");
    CHECK(s.slack.messages("C0PARTNER").size() == 4);

    s.clock.advance(5s);  // failed posts count against the channel's budget too

    CHECK(s.call(api_json("chat.postMessage", {{"channel", "C0NOPE"}, {"text", "x"}}))["error"] ==
          "channel_not_found");
    CHECK(s.call(api_json("chat.postMessage", {{"channel", "C0PARTNER"}}))["error"] == "no_text");
    CHECK(s.call(api_json("chat.postMessage",
                          {{"channel", "C0OUTSIDE"}, {"text", "x"}}))["error"] == "not_in_channel");
    CHECK(s.call(api_form("chat.postMessage", "channel=C0PARTNER&blocks=%5B"))["error"] ==
          "invalid_blocks_format");
    CHECK(s.slack.violations().empty());
}

TEST_CASE("fake slack records a spec violation: chat.postMessage without channel") {
    Seeded s;
    auto const res = s.call(api_json("chat.postMessage", {{"text", "where does this go?"}}));
    CHECK(res["error"] == "invalid_arguments");
    CHECK(res["response_metadata"]["messages"].dump().find("channel") != std::string::npos);
    auto const violations = s.slack.violations();
    REQUIRE(violations.size() == 1);
    CHECK(violations[0].find("chat.postMessage") != std::string::npos);
    CHECK(violations[0].find("channel") != std::string::npos);
    CHECK(s.slack.messages("C0PARTNER").size() == 2);  // nothing was posted

    // The 2020 description leaves users.info's `user` optional; Slack does not.
    CHECK(s.call(api_get("users.info", "include_locale=true"))["error"] == "invalid_arguments");
    REQUIRE(s.slack.violations().size() == 2);
    CHECK(s.slack.violations()[1].find("/api/users.info") != std::string::npos);
}

TEST_CASE("fake slack chat.update edits bot messages only and keeps the history") {
    Seeded s;
    auto const posted =
        s.call(api_json("chat.postMessage", {{"channel", "C0PARTNER"}, {"text", "status: new"}}));
    INFO(posted.dump());
    REQUIRE(posted["ok"] == true);
    auto const ts = posted["ts"].get<std::string>();
    auto const updated = s.call(
        api_json("chat.update", {{"channel", "C0PARTNER"}, {"ts", ts}, {"text", "status: open"}}));
    REQUIRE(updated["ok"] == true);
    CHECK(updated["ts"] == ts);
    CHECK(updated["text"] == "status: open");
    CHECK(updated["message"]["edited"]["user"] == "U0BOT");

    auto const after = s.slack.thread("C0PARTNER", ts);
    REQUIRE(after.size() == 1);
    CHECK(after[0].text == "status: open");
    REQUIRE(after[0].edits.size() == 1);
    CHECK(after[0].edits[0].text == "status: new");

    CHECK(s.call(api_json("chat.update", {{"channel", "C0PARTNER"},
                                          {"ts", "1700000000.000100"},
                                          {"text", "hijack"}}))["error"] == "cant_update_message");
    CHECK(s.call(api_json("chat.update", {{"channel", "C0PARTNER"},
                                          {"ts", "1600000000.000000"},
                                          {"text", "x"}}))["error"] == "message_not_found");
}

TEST_CASE("fake slack chat.postEphemeral records what one user saw") {
    Seeded s;
    auto const res = s.call(api_json(
        "chat.postEphemeral",
        {{"channel", "C0PARTNER"}, {"user", "U0ALICE"}, {"text", "usage: /ticket take 123"}}));
    REQUIRE(res["ok"] == true);
    CHECK_FALSE(res["message_ts"].get<std::string>().empty());
    auto const seen = s.slack.ephemerals();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].user == "U0ALICE");
    CHECK(seen[0].text == "usage: /ticket take 123");
    CHECK(s.slack.messages("C0PARTNER").size() == 2);  // not a channel message
    CHECK(s.call(api_json("chat.postEphemeral", {{"channel", "C0PARTNER"},
                                                 {"user", "U0GHOST"},
                                                 {"text", "x"}}))["error"] == "user_not_found");
}

TEST_CASE("fake slack chat.getPermalink links roots and replies") {
    Seeded s;
    auto const root =
        s.call(api_get("chat.getPermalink", "channel=C0PARTNER&message_ts=1700000000.000100"));
    CHECK(root["permalink"] == "https://fake.slack.com/archives/C0PARTNER/p1700000000000100");
    auto const reply =
        s.call(api_get("chat.getPermalink", "channel=C0PARTNER&message_ts=1700000001.000200"));
    CHECK(reply["permalink"] ==
          "https://fake.slack.com/archives/C0PARTNER/p1700000001000200"
          "?thread_ts=1700000000.000100&cid=C0PARTNER");
    CHECK(s.call(api_get("chat.getPermalink", "channel=C0PARTNER&message_ts=1.000001"))["error"] ==
          "message_not_found");
}

TEST_CASE("fake slack conversations.replies pages through a thread with cursors, root first") {
    Seeded s;
    for (int i = 2; i <= 6; ++i) {
        s.slack.add_message("C0PARTNER", "170000000" + std::to_string(i) + ".000000", "U0BOB",
                            "reply " + std::to_string(i), "1700000000.000100");
    }
    std::vector<std::string> texts;
    std::string cursor;
    int pages = 0;
    do {
        auto query = std::string{"channel=C0PARTNER&ts=1700000000.000100&limit=2"};
        if (!cursor.empty()) query += "&cursor=" + encoded(cursor);
        auto const page = s.call(api_get("conversations.replies", query));
        INFO(page.dump());
        REQUIRE(page["ok"] == true);
        CHECK(page["messages"].size() <= 2);
        for (auto const& m : page["messages"]) texts.push_back(m["text"].get<std::string>());
        cursor = page["response_metadata"]["next_cursor"].get<std::string>();
        CHECK(page["has_more"] == !cursor.empty());
        ++pages;
    } while (!cursor.empty() && pages < 10);
    CHECK(pages == 4);
    REQUIRE(texts.size() == 7);
    CHECK(texts.front() == "login is broken");
    CHECK(texts[1] == "me too");
    CHECK(texts.back() == "reply 6");

    auto const all =
        s.call(api_get("conversations.replies", "channel=C0PARTNER&ts=1700000000.000100"));
    CHECK(all["messages"][0]["reply_count"] == 6);
    CHECK(all["messages"][1]["parent_user_id"] == "U0ALICE");
    CHECK(s.call(api_get("conversations.replies", "channel=C0PARTNER&ts=1.000000"))["error"] ==
          "thread_not_found");
    CHECK(s.call(api_get("conversations.replies",
                         "channel=C0PARTNER&ts=1700000000.000100&cursor=bogus"))["error"] ==
          "invalid_cursor");
}

TEST_CASE("fake slack conversations.history is newest first, top level, windowed") {
    Seeded s;
    s.slack.add_message("C0PARTNER", "1700000005.000000", "U0BOB", "second question");
    s.slack.add_message("C0PARTNER", "1700000009.000000", "U0ALICE", "third question");
    auto const all = s.call(api_get("conversations.history", "channel=C0PARTNER"));
    INFO(all.dump());
    REQUIRE(all["ok"] == true);
    REQUIRE(all["messages"].size() == 3);  // the reply stays in its thread
    CHECK(all["messages"][0]["text"] == "third question");
    CHECK(all["messages"][2]["text"] == "login is broken");
    CHECK(all["messages"][2]["reply_count"] == 1);

    auto const window =
        s.call(api_get("conversations.history",
                       "channel=C0PARTNER&oldest=1700000000.000100&latest=1700000009.000000"));
    REQUIRE(window["messages"].size() == 1);
    CHECK(window["messages"][0]["text"] == "second question");
    auto const inclusive = s.call(api_get(
        "conversations.history", "channel=C0PARTNER&oldest=1700000000.000100&inclusive=true"));
    CHECK(inclusive["messages"].size() == 3);
    auto const limited = s.call(api_get("conversations.history", "channel=C0PARTNER&limit=1"));
    CHECK(limited["messages"].size() == 1);
    CHECK(limited["has_more"] == true);
    CHECK(s.call(api_get("conversations.history", "channel=C0NOPE"))["error"] ==
          "channel_not_found");
}

TEST_CASE("fake slack conversations.info, users.info and users.lookupByEmail") {
    Seeded s;
    auto const channel = s.call(api_get("conversations.info", "channel=C0PARTNER"));
    CHECK(channel["channel"]["name"] == "login-partner-support");
    CHECK(channel["channel"]["is_member"] == true);
    CHECK(s.call(api_get("conversations.info", "channel=C0NOPE"))["error"] == "channel_not_found");

    auto const alice = s.call(api_get("users.info", "user=U0ALICE"));
    CHECK(alice["user"]["profile"]["email"] == "alice@example.org");
    CHECK(alice["user"]["real_name"] == "Alice Example");
    CHECK(alice["user"]["is_bot"] == false);
    CHECK(s.call(api_get("users.info", "user=U0BOT"))["user"]["is_bot"] == true);
    CHECK(s.call(api_get("users.info", "user=U0GHOST"))["error"] == "user_not_found");

    auto const bob = s.call(api_get("users.lookupByEmail", "email=bob%40example.org"));
    CHECK(bob["user"]["id"] == "U0BOB");
    CHECK(s.call(api_get("users.lookupByEmail", "email=nobody%40example.org"))["error"] ==
          "users_not_found");
}

TEST_CASE("fake slack reactions.add refuses a repeat, then reactions.get lists them") {
    Seeded s;
    s.slack.add_reaction("C0PARTNER", "1700000000.000100", "ticket", "U0ALICE");
    auto const args = json{
        {"channel", "C0PARTNER"}, {"timestamp", "1700000000.000100"}, {"name", "white_check_mark"}};
    CHECK(s.call(api_json("reactions.add", args))["ok"] == true);
    CHECK(s.call(api_json("reactions.add", args))["error"] == "already_reacted");
    auto const reactions = s.slack.reactions("C0PARTNER", "1700000000.000100");
    REQUIRE(reactions.size() == 2);
    CHECK(reactions[1].name == "white_check_mark");
    CHECK(reactions[1].users == std::vector<std::string>{"U0BOT"});

    auto const got =
        s.call(api_get("reactions.get", "channel=C0PARTNER&timestamp=1700000000.000100"));
    CHECK(got["type"] == "message");
    CHECK(got["message"]["reactions"][0]["name"] == "ticket");
    CHECK(got["message"]["reactions"][0]["count"] == 1);
    CHECK(s.call(api_json("reactions.add", {{"channel", "C0PARTNER"},
                                            {"timestamp", "1600000000.000000"},
                                            {"name", "ticket"}}))["error"] == "message_not_found");
    CHECK(s.call(api_get("reactions.get", "channel=C0PARTNER"))["error"] == "no_item_specified");
}

TEST_CASE("fake slack views.open takes a trigger once and within 3 seconds, then views.update") {
    Seeded s;
    json const modal = {{"type", "modal"},
                        {"callback_id", "create_ticket"},
                        {"title", {{"type", "plain_text"}, {"text", "Create ticket"}}},
                        {"blocks", json::array()}};
    s.slack.issue_trigger("111.222.aaa");
    auto const opened =
        s.call(api_json("views.open", {{"trigger_id", "111.222.aaa"}, {"view", modal}}));
    REQUIRE(opened["ok"] == true);
    auto const id = opened["view"]["id"].get<std::string>();
    CHECK(id.starts_with("V"));
    CHECK(opened["view"]["callback_id"] == "create_ticket");
    CHECK(s.call(api_json("views.open", {{"trigger_id", "111.222.aaa"},
                                         {"view", modal}}))["error"] == "invalid_trigger_id");
    CHECK(s.call(api_json("views.open", {{"trigger_id", "never.issued"},
                                         {"view", modal}}))["error"] == "invalid_trigger_id");

    s.slack.issue_trigger("333.444.bbb");
    s.clock.advance(3001ms);
    CHECK(s.call(api_form("views.open",
                          "trigger_id=333.444.bbb&view=" + encoded(modal.dump())))["error"] ==
          "expired_trigger_id");

    auto changed = modal;
    changed["title"]["text"] = "Ticket created";
    auto const updated = s.call(api_json("views.update", {{"view_id", id}, {"view", changed}}));
    REQUIRE(updated["ok"] == true);
    CHECK(updated["view"]["id"] == id);
    CHECK(updated["view"]["hash"] != opened["view"]["hash"]);
    auto const stale = s.call(api_json(
        "views.update", {{"view_id", id}, {"view", changed}, {"hash", opened["view"]["hash"]}}));
    CHECK(stale["error"] == "hash_conflict");
    CHECK(s.call(api_json("views.update", {{"view_id", "V404"}, {"view", changed}}))["error"] ==
          "not_found");
    auto const views = s.slack.views();
    REQUIRE(views.size() == 1);
    CHECK(views[0].view["title"]["text"] == "Ticket created");
    CHECK(views[0].history.size() == 1);
}

TEST_CASE("fake slack usergroups.users.list") {
    Seeded s;
    s.slack.add_usergroup("S0SUPPORT", {"U0ALICE", "U0BOB"});
    auto const res = s.call(api_get("usergroups.users.list", "usergroup=S0SUPPORT"));
    CHECK(res["users"] == json::array({"U0ALICE", "U0BOB"}));
    CHECK(s.call(api_get("usergroups.users.list", "usergroup=S0NONE"))["error"] ==
          "no_such_subteam");
}

TEST_CASE("fake slack files.info and url_private downloads need the bot token") {
    Seeded s;
    s.slack.set_base_url("http://127.0.0.1:9");
    s.slack.add_message("C0PARTNER", "1700000002.000000", "U0ALICE", "", "1700000000.000100",
                        {SlackFile{"F0LOG", "error log.txt", "text/plain", "stack trace", ""}});
    auto const info = s.call(api_get("files.info", "file=F0LOG"));
    REQUIRE(info["ok"] == true);
    auto const url = info["file"]["url_private"].get<std::string>();
    CHECK(url == s.slack.file_url("F0LOG"));
    CHECK(info["file"]["size"] == 11);
    CHECK(s.call(api_get("files.info", "file=F0NONE"))["error"] == "file_not_found");

    auto const path = url.substr(std::string{"http://127.0.0.1:9"}.size());
    Request download{http::verb::get, path, 11};
    download.set(http::field::authorization, std::string{"Bearer "} + kToken);
    auto const res = s.slack.handle(download);
    CHECK(res.result() == http::status::ok);
    CHECK(res.body() == "stack trace");
    CHECK(res[http::field::content_type] == "text/plain");

    download.erase(http::field::authorization);
    auto const anonymous = s.slack.handle(download);
    CHECK(anonymous.result() == http::status::found);  // Slack sends strangers to its login page
    CHECK(anonymous.body().empty());
}

TEST_CASE("fake slack response_url sink records posts and answers ok") {
    Seeded s;
    s.slack.set_base_url("http://127.0.0.1:9");
    auto const url = s.slack.response_url("T0FAKE/1/abc");
    CHECK(url == "http://127.0.0.1:9/commands/T0FAKE/1/abc");
    Request req{http::verb::post, "/commands/T0FAKE/1/abc", 11};
    req.set(http::field::content_type, "application/json");
    req.body() =
        R"({"response_type":"ephemeral","text":"Ticket #7 solved","replace_original":true})";
    auto const res = s.slack.handle(req);
    CHECK(res.result() == http::status::ok);
    CHECK(res.body() == "ok");
    auto const posts = s.slack.response_url_posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].path == "/commands/T0FAKE/1/abc");
    CHECK(posts[0].body["text"] == "Ticket #7 solved");

    req.body() = "not json";
    CHECK(s.slack.handle(req).result() == http::status::bad_request);
    CHECK(s.slack.response_url_posts().size() == 1);
}

TEST_CASE("fake slack answers an unknown method with 404 unknown_method") {
    Seeded s;
    auto const res = s.slack.handle(api_form("chat.postMessages", "channel=C0PARTNER&text=x"));
    CHECK(res.result() == http::status::not_found);
    CHECK(body_of(res)["error"] == "unknown_method");
    CHECK(s.slack.violations().size() == 1);
}

TEST_CASE("fake slack returns 429 on a burst to one channel but not across channels") {
    Seeded s;
    auto post = [&](std::string const& channel) {
        return s.slack.handle(api_json("chat.postMessage", {{"channel", channel}, {"text", "hi"}}));
    };
    for (int i = 0; i < 3; ++i) CHECK(post("C0PARTNER").result() == http::status::ok);
    auto const limited = post("C0PARTNER");
    CHECK(limited.result() == http::status::too_many_requests);
    CHECK(limited[http::field::retry_after] == "1");
    CHECK(body_of(limited)["error"] == "ratelimited");
    CHECK(post("C0OTHER").result() == http::status::ok);  // other channels are not held up
    CHECK(s.slack.ratelimited_count() == 1);

    s.clock.advance(1s);
    CHECK(post("C0PARTNER").result() == http::status::ok);
    CHECK(post("C0PARTNER").result() == http::status::too_many_requests);
    CHECK(s.slack.messages("C0PARTNER").size() == 2 + 4);
    CHECK(s.slack.ratelimited_count() == 2);
}

TEST_CASE("fake slack enforces method tiers only when asked") {
    Seeded s;
    s.slack.add_usergroup("S0SUPPORT", {"U0ALICE"});
    auto list = [&] {
        return s.slack.handle(api_get("usergroups.users.list", "usergroup=S0SUPPORT")).result();
    };
    for (int i = 0; i < 25; ++i) REQUIRE(list() == http::status::ok);

    s.slack.enforce_tiers(true);  // usergroups.users.list is Tier 2: 20 a minute
    for (int i = 0; i < 20; ++i) REQUIRE(list() == http::status::ok);
    CHECK(list() == http::status::too_many_requests);
    s.clock.advance(61s);
    CHECK(list() == http::status::ok);
    CHECK(s.slack.ratelimited_count() == 1);
}

TEST_CASE("fake slack decodes form, JSON and query arguments alike and logs every call") {
    Seeded s;
    s.call(api_form("chat.postMessage", "channel=C0PARTNER&text=a+b%26c"));
    s.call(api_json("chat.postMessage", {{"channel", "C0PARTNER"}, {"text", "a b&c"}}));
    s.call(api_get("conversations.info", "channel=C0PARTNER"));
    auto const posts = s.slack.calls("chat.postMessage");
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].params["text"] == "a b&c");
    CHECK(posts[1].params["text"] == "a b&c");
    CHECK(posts[0].status == 200);
    CHECK(posts[0].error.empty());
    CHECK(s.slack.calls().size() == 3);
    CHECK(s.slack.calls("conversations.info")[0].params["channel"] == "C0PARTNER");
    for (auto const& call : s.slack.calls()) CHECK_FALSE(call.params.contains("token"));
}

TEST_CASE("fake slack answers are declared by the published Web API description") {
    Seeded s;
    s.slack.issue_trigger("555.666.ccc");
    std::vector<Request> const requests{
        api_form("auth.test", ""),
        api_json("chat.postMessage", {{"channel", "C0PARTNER"}, {"text", "x"}}),
        api_get("conversations.replies", "channel=C0PARTNER&ts=1700000000.000100"),
        api_get("users.info", "user=U0ALICE"),
        api_json("views.open",
                 {{"trigger_id", "555.666.ccc"}, {"view", {{"type", "modal"}, {"title", "t"}}}}),
    };
    for (auto const& req : requests) {
        auto const res = s.slack.handle(req);
        CHECK(body_of(res)["ok"] == true);
        CHECK(SpecChecker::slack().check_response(req, res, "/api").empty());
    }
    CHECK(s.slack.violations().empty());
}

TEST_CASE("fake slack end to end over HTTP") {
    ManualClock clock;
    FakeSlack slack{clock};
    slack.expect_token(kToken);
    slack.add_channel("C0PARTNER", "login-partner-support");
    slack.start();
    CHECK(slack.api_url() == slack.base_url() + "/api");
    CHECK(slack.api_url().starts_with("http://127.0.0.1:"));

    testing::TestClient client{slack.server().port()};
    auto const posted = client.send(
        api_json("chat.postMessage", {{"channel", "C0PARTNER"}, {"text", "over the wire"}}));
    CHECK(posted.result() == http::status::ok);
    CHECK(body_of(posted)["ok"] == true);
    REQUIRE(slack.messages("C0PARTNER").size() == 1);
    CHECK(slack.messages("C0PARTNER")[0].text == "over the wire");

    CHECK(body_of(client.send(api_form("auth.test", "", "")))["error"] == "not_authed");
    for (int i = 0; i < 3; ++i) {
        client.send(api_json("chat.postMessage", {{"channel", "C0PARTNER"}, {"text", "burst"}}));
    }
    auto const limited =
        client.send(api_json("chat.postMessage", {{"channel", "C0PARTNER"}, {"text", "x"}}));
    CHECK(limited.result() == http::status::too_many_requests);
    CHECK(limited[http::field::retry_after] == "1");

    auto const reply_url = slack.response_url("T0FAKE/9/xyz");
    auto const path = reply_url.substr(slack.base_url().size());
    auto const ack =
        client.send(testing::make_request(http::verb::post, path, R"({"text":"done"})"));
    CHECK(ack.body() == "ok");
    CHECK(slack.response_url_posts().size() == 1);
    CHECK(slack.server().requests().size() == 7);
}
