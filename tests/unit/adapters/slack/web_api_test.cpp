#include "adapters/slack/web_api.hpp"
#include "adapters/slack/web_call.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "tests/fakes/fake_slack.hpp"
#include "tests/fakes/fake_slack_limits.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using nlohmann::json;
using tb::bot::ApiError;
using tb::bot::ChatFile;
using tb::bot::CommandReply;
using tb::bot::SolveDraft;
using tb::bot::TicketCard;
using tb::bot::TicketDraft;
using tb::bot::TicketLine;
using tb::bot::TicketListing;
using tb::fakes::FakeSlack;
using tb::fakes::Fault;
using tb::fakes::SlackFile;
using Kind = ApiError::Kind;

constexpr char const* kToken = "xoxb-1111-2222-web-api-test";
constexpr char const* kChannel = "C0SUPPORT";
constexpr char const* kRoot = "1700000000.000100";

struct Sent {
    std::string url;
    bool authorized = false;  // carried an Authorization header
};

struct Slack {
    FakeSlack fake;
    asio::io_context ioc;
    std::vector<Sent> sent;  // every request the client sent (or tried to)
    tb::http::HttpClient client{
        ioc.get_executor(), tb::http::ClientSettings{},
        [this](tb::http::OutboundRequest const& request, int, std::chrono::milliseconds) {
            bool authorized = false;
            for (auto const& [name, value] : request.headers) {
                if (name == "Authorization") authorized = true;
            }
            sent.push_back({request.url, authorized});
        }};
    std::unique_ptr<tb::bot::Chat> chat;

    Slack() {
        fake.start();
        fake.expect_token(kToken);
        fake.set_bot("U0BOT", "B0BOT");
        fake.enforce_channel_limit(false);
        fake.add_user("U0ALICE", "alice", "Alice Example", "alice@example.com");
        fake.add_channel(kChannel, "login-partner-support");
        chat = tb::slack::make_slack_chat(client, fake.api_url(), kToken);
    }

    // Runs one call to the end on this thread's io_context.
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

    void check_no_violations() const {
        auto const found = fake.violations();
        for (auto const& violation : found) MESSAGE(violation);
        CHECK(found.empty());
    }
};

TicketCard card(std::string status = "new") {
    TicketCard out;
    out.ticket_id = 123;
    out.url = "https://acme.zendesk.com/agent/tickets/123";
    out.subject = "Login <broken> & slow";
    out.status = std::move(status);
    out.priority = "high";
    out.group = "Partnerships Engineering";
    out.groups = {"Content support", "Partnerships Engineering"};
    return out;
}

// Buttons carry the ticket id, select options "<ticket id>:<choice>".
std::set<std::string> action_ids(json const& blocks, std::string const& value) {
    std::set<std::string> out;
    for (auto const& block : blocks) {
        if (block["type"] != "actions") continue;
        CHECK(block["block_id"] == "ticket_actions");
        for (auto const& element : block["elements"]) {
            if (element["type"] == "static_select") {
                for (auto const& option : element["options"]) {
                    CHECK(option["value"].get<std::string>().starts_with(value + ":"));
                }
            } else {
                CHECK(element["value"] == value);
            }
            out.insert(element["action_id"].get<std::string>());
        }
    }
    return out;
}

std::string fields_text(json const& blocks) {
    std::string out;
    for (auto const& block : blocks) {
        for (auto const& field : block.value("fields", json::array())) {
            out += field["text"].get<std::string>() + "|";
        }
        for (auto const& element : block.value("elements", json::array())) {
            if (element["type"] == "mrkdwn") out += element["text"].get<std::string>() + "|";
        }
    }
    return out;
}

}  // namespace

TEST_CASE("slack web api: identity comes from auth.test once") {
    Slack slack;
    auto const first = slack.run(slack.chat->identity());
    REQUIRE(first.has_value());
    CHECK(first->team_id == FakeSlack::kTeamId);
    CHECK(first->user_id == "U0BOT");
    CHECK(first->bot_id == "B0BOT");
    auto const second = slack.run(slack.chat->identity());
    REQUIRE(second.has_value());
    CHECK(second->user_id == "U0BOT");
    CHECK(slack.fake.calls("auth.test").size() == 1);
    slack.check_no_violations();
}

TEST_CASE("slack web api: thread reads every page of conversations.replies") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "Login is broken");
    for (int i = 1; i <= 450; ++i) {
        auto const ts =
            "1700000001." + std::string(6 - std::to_string(i).size(), '0') + std::to_string(i);
        slack.fake.add_message(kChannel, ts, i % 2 ? "U0ALICE" : "U0BOT",
                               "reply " + std::to_string(i), kRoot);
    }
    auto const thread = slack.run(slack.chat->thread(kChannel, kRoot));
    REQUIRE(thread.has_value());
    REQUIRE(thread->size() == 451);
    CHECK(thread->front().ts == kRoot);
    CHECK(thread->front().text == "Login is broken");
    CHECK(thread->front().root_ts() == kRoot);
    CHECK(thread->at(1).text == "reply 1");
    CHECK(thread->at(1).thread_ts == kRoot);
    CHECK(thread->at(2).bot_id == "B0BOT");
    CHECK(thread->back().text == "reply 450");
    for (auto const& message : *thread) CHECK(message.channel == kChannel);

    auto const calls = slack.fake.calls("conversations.replies");
    REQUIRE(calls.size() == 3);
    CHECK_FALSE(calls[0].params.contains("cursor"));
    CHECK(calls[1].params.contains("cursor"));
    CHECK(calls[2].params.contains("cursor"));

    SUBCASE("a reply's ts reads the same thread") {
        auto const from_reply = slack.run(slack.chat->thread(kChannel, "1700000001.000007"));
        REQUIRE(from_reply.has_value());
        CHECK(from_reply->size() == 451);
        CHECK(from_reply->front().ts == kRoot);
    }
    slack.check_no_violations();
}

TEST_CASE("slack web api: thread messages carry their files") {
    Slack slack;
    SlackFile file;
    file.id = "F0LOG";
    file.name = "error log.txt";
    file.content = "stack trace";
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "see the log", {}, {file});
    auto const thread = slack.run(slack.chat->thread(kChannel, kRoot));
    REQUIRE(thread.has_value());
    REQUIRE(thread->size() == 1);
    REQUIRE(thread->front().files.size() == 1);
    auto const& got = thread->front().files.front();
    CHECK(got.id == "F0LOG");
    CHECK(got.name == "error log.txt");
    CHECK(got.mimetype == "text/plain");
    CHECK(got.size == 11);
    CHECK(got.url_private == slack.fake.file_url("F0LOG"));
    CHECK_FALSE(got.permalink.empty());
    slack.check_no_violations();
}

TEST_CASE("slack web api: a missing thread or channel is not_found") {
    Slack slack;
    auto const no_thread = slack.run(slack.chat->thread(kChannel, "1700000099.000001"));
    REQUIRE_FALSE(no_thread.has_value());
    CHECK(no_thread.error().kind == Kind::not_found);
    CHECK(no_thread.error().message == "thread_not_found");
    auto const no_channel = slack.run(slack.chat->thread("C0NOPE", kRoot));
    REQUIRE_FALSE(no_channel.has_value());
    CHECK(no_channel.error().kind == Kind::not_found);
    CHECK(no_channel.error().message == "channel_not_found");
    slack.check_no_violations();
}

TEST_CASE("slack web api: permalink and user") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "hello");
    auto const link = slack.run(slack.chat->permalink(kChannel, kRoot));
    REQUIRE(link.has_value());
    CHECK(*link == "https://fake.slack.com/archives/C0SUPPORT/p1700000000000100");
    auto const call = slack.fake.calls("chat.getPermalink").at(0);
    CHECK(call.params["message_ts"] == kRoot);

    auto const user = slack.run(slack.chat->user("U0ALICE"));
    REQUIRE(user.has_value());
    CHECK(user->id == "U0ALICE");
    CHECK(user->name == "alice");
    CHECK(user->real_name == "Alice Example");
    CHECK(user->email == "alice@example.com");
    CHECK_FALSE(user->is_bot);
    auto const again = slack.run(slack.chat->user("U0ALICE"));
    REQUIRE(again.has_value());
    CHECK(again->email == "alice@example.com");
    CHECK(slack.fake.calls("users.info").size() == 1);

    auto const nobody = slack.run(slack.chat->user("U0NOBODY"));
    REQUIRE_FALSE(nobody.has_value());
    CHECK(nobody.error().kind == Kind::not_found);
    slack.check_no_violations();
}

TEST_CASE("slack web api: download sends the token and keeps to max_bytes") {
    Slack slack;
    SlackFile file;
    file.id = "F0BIG";
    file.name = "dump.txt";
    file.content = std::string(100, 'x');
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "dump", {}, {file});
    ChatFile const chat_file{"F0BIG", "dump.txt", "text/plain", 100, slack.fake.file_url("F0BIG"),
                             ""};

    auto const bytes = slack.run(slack.chat->download(chat_file, 1000));
    REQUIRE(bytes.has_value());
    CHECK(*bytes == file.content);

    auto const declared_too_big = slack.run(slack.chat->download(chat_file, 50));
    REQUIRE_FALSE(declared_too_big.has_value());
    CHECK(declared_too_big.error().kind == Kind::rejected);
    CHECK(slack.fake.calls("files-pri").size() == 1);

    auto understated = chat_file;
    understated.size = 0;
    auto const body_too_big = slack.run(slack.chat->download(understated, 50));
    REQUIRE_FALSE(body_too_big.has_value());
    CHECK(body_too_big.error().kind == Kind::rejected);

    auto foreign = chat_file;
    foreign.url_private = "https://files.example.com/files-pri/T0FAKE-F0BIG/dump.txt";
    auto const elsewhere = slack.run(slack.chat->download(foreign, 1000));
    REQUIRE_FALSE(elsewhere.has_value());
    CHECK(elsewhere.error().kind == Kind::rejected);
    CHECK(slack.fake.calls("files-pri").size() == 2);
    slack.check_no_violations();
}

TEST_CASE("slack web api: post writes into the thread, or the channel") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "Login is broken");
    auto const reply = slack.run(slack.chat->post(kChannel, kRoot, "Ticket #5 opened"));
    REQUIRE(reply.has_value());
    auto const thread = slack.fake.thread(kChannel, kRoot);
    REQUIRE(thread.size() == 2);
    CHECK(thread[1].ts == *reply);
    CHECK(thread[1].text == "Ticket #5 opened");
    CHECK(thread[1].bot_id == "B0BOT");

    auto const top = slack.run(slack.chat->post(kChannel, "", "SLA warning"));
    REQUIRE(top.has_value());
    auto const calls = slack.fake.calls("chat.postMessage");
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].params["thread_ts"] == kRoot);
    CHECK_FALSE(calls[1].params.contains("thread_ts"));
    CHECK(calls[1].params["text"] == "SLA warning");
    slack.check_no_violations();
}

TEST_CASE("slack web api: the card has the ticket's buttons and is updated in place") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "Login is broken");
    auto const ts = slack.run(slack.chat->post_card(kChannel, kRoot, card()));
    REQUIRE(ts.has_value());
    auto const call = slack.fake.calls("chat.postMessage").at(0);
    CHECK(call.params["text"] == "Ticket #123: Login &lt;broken&gt; &amp; slow (new)");
    CHECK(call.params["thread_ts"] == kRoot);
    auto const blocks = call.params["blocks"];
    CHECK(action_ids(blocks, "123") == std::set<std::string>{"ticket_take", "ticket_priority",
                                                             "ticket_group", "ticket_pending",
                                                             "ticket_solve"});
    CHECK(blocks[0]["text"]["text"] ==
          "*<https://acme.zendesk.com/agent/tickets/123|#123>* Login &lt;broken&gt; &amp; slow");
    auto const fields = fields_text(blocks);
    CHECK(fields.find("*Status*\nnew") != std::string::npos);
    CHECK(fields.find("*Priority*\nhigh") != std::string::npos);
    CHECK(fields.find("*Group*\nPartnerships Engineering") != std::string::npos);
    CHECK(fields.find("*Assignee*\n—") != std::string::npos);
    CHECK(fields.find("Follow-up") == std::string::npos);

    auto changed = card("solved");
    changed.assignee = "Alex Agent";
    changed.follow_up_of = 99;
    auto const updated = slack.run(slack.chat->update_card(kChannel, *ts, changed));
    REQUIRE(updated.has_value());
    auto const thread = slack.fake.thread(kChannel, kRoot);
    REQUIRE(thread.size() == 2);
    CHECK(thread[1].edits.size() == 1);
    CHECK(thread[1].text == "Ticket #123: Login &lt;broken&gt; &amp; slow (solved)");
    auto const new_fields = fields_text(thread[1].blocks);
    CHECK(new_fields.find("*Status*\nsolved") != std::string::npos);
    CHECK(new_fields.find("*Assignee*\nAlex Agent") != std::string::npos);
    CHECK(new_fields.find("Follow-up of #99") != std::string::npos);
    CHECK(action_ids(thread[1].blocks, "123").size() == 5);

    auto const gone = slack.run(slack.chat->update_card(kChannel, "1700000050.000001", changed));
    REQUIRE_FALSE(gone.has_value());
    CHECK(gone.error().kind == Kind::not_found);
    slack.check_no_violations();
}

TEST_CASE("slack web api: ephemeral message and reactions") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "Login is broken");
    auto const told =
        slack.run(slack.chat->post_ephemeral(kChannel, "U0ALICE", kRoot, "No such ticket"));
    REQUIRE(told.has_value());
    auto const ephemerals = slack.fake.ephemerals();
    REQUIRE(ephemerals.size() == 1);
    CHECK(ephemerals[0].user == "U0ALICE");
    CHECK(ephemerals[0].thread_ts == kRoot);
    CHECK(ephemerals[0].text == "No such ticket");

    REQUIRE(slack.run(slack.chat->react(kChannel, kRoot, ":white_check_mark:")).has_value());
    auto const again = slack.run(slack.chat->react(kChannel, kRoot, "white_check_mark"));
    CHECK(again.has_value());  // already_reacted is success
    auto const reactions = slack.fake.reactions(kChannel, kRoot);
    REQUIRE(reactions.size() == 1);
    CHECK(reactions[0].name == "white_check_mark");
    CHECK(reactions[0].users == std::vector<std::string>{"U0BOT"});
    CHECK(slack.fake.calls("reactions.add").at(1).error == "already_reacted");
    slack.check_no_violations();
}

TEST_CASE("slack web api: the ticket form opens as a modal") {
    Slack slack;
    slack.fake.issue_trigger("1337.42.abcd");
    TicketDraft draft;
    draft.team_id = "T0FAKE";
    draft.channel = kChannel;
    draft.message_ts = kRoot;
    draft.subject = "Login is broken";
    draft.priority = tb::bot::Priority::high;
    draft.group = "Content support";
    draft.groups = {"Partnerships Engineering", "Content support"};
    REQUIRE(slack.run(slack.chat->open_ticket_form("1337.42.abcd", draft)).has_value());

    auto const views = slack.fake.views();
    REQUIRE(views.size() == 1);
    auto const& view = views[0].view;
    CHECK(view["type"] == "modal");
    CHECK(view["callback_id"] == "create_ticket");
    CHECK(view["title"]["text"] == "Create ticket");
    CHECK(view["submit"]["text"] == "Create");
    CHECK(json::parse(view["private_metadata"].get<std::string>()) ==
          json{{"team", "T0FAKE"}, {"channel", kChannel}, {"message_ts", kRoot}});
    auto const& blocks = view["blocks"];
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0]["block_id"] == "subject");
    CHECK(blocks[0]["element"]["action_id"] == "subject");
    CHECK(blocks[0]["element"]["initial_value"] == "Login is broken");
    CHECK(blocks[0]["element"]["max_length"] == 150);
    CHECK(blocks[1]["block_id"] == "priority");
    CHECK(blocks[1]["element"]["action_id"] == "priority");
    CHECK(blocks[1]["element"]["options"].size() == 4);
    CHECK(blocks[1]["element"]["initial_option"]["value"] == "high");
    CHECK(blocks[2]["block_id"] == "group");
    CHECK(blocks[2]["element"]["action_id"] == "group");
    CHECK(blocks[2]["optional"] == true);
    CHECK(blocks[2]["element"]["initial_option"]["value"] == "Content support");

    auto const reused = slack.run(slack.chat->open_ticket_form("1337.42.abcd", draft));
    REQUIRE_FALSE(reused.has_value());
    CHECK(reused.error().kind == Kind::rejected);
    CHECK(reused.error().message == "invalid_trigger_id");
    slack.check_no_violations();
}

TEST_CASE("slack web api: the card's priority and group are selects showing the current choice") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "Login is broken");
    REQUIRE(slack.run(slack.chat->post_card(kChannel, kRoot, card())).has_value());
    auto const blocks = slack.fake.calls("chat.postMessage").at(0).params["blocks"];
    json const* priority = nullptr;
    json const* group = nullptr;
    for (auto const& element : blocks.back()["elements"]) {
        if (element["action_id"] == "ticket_priority") priority = &element;
        if (element["action_id"] == "ticket_group") group = &element;
    }
    REQUIRE(priority != nullptr);
    REQUIRE(group != nullptr);
    CHECK((*priority)["type"] == "static_select");
    CHECK((*priority)["options"].size() == 4);
    CHECK((*priority)["initial_option"]["value"] == "123:high");
    CHECK((*group)["type"] == "static_select");
    CHECK((*group)["options"].size() == 2);
    CHECK((*group)["initial_option"]["value"] == "123:Partnerships Engineering");
    CHECK((*group)["initial_option"]["text"]["text"] == "Partnerships Engineering");
    slack.check_no_violations();
}

TEST_CASE("slack web api: the solve form opens as a modal with an optional note") {
    Slack slack;
    slack.fake.issue_trigger("1337.43.solve");
    SolveDraft draft;
    draft.ticket_id = 123;
    draft.subject = "Login <broken>";
    draft.channel = kChannel;
    draft.card_ts = "1700000002.000200";
    REQUIRE(slack.run(slack.chat->open_solve_form("1337.43.solve", draft)).has_value());

    auto const views = slack.fake.views();
    REQUIRE(views.size() == 1);
    auto const& view = views[0].view;
    CHECK(view["type"] == "modal");
    CHECK(view["callback_id"] == "solve_ticket");
    CHECK(view["title"]["text"] == "Solve ticket");
    CHECK(view["submit"]["text"] == "Solve");
    CHECK(json::parse(view["private_metadata"].get<std::string>()) ==
          json{{"ticket", 123}, {"channel", kChannel}, {"card_ts", "1700000002.000200"}});
    auto const& blocks = view["blocks"];
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0]["text"]["text"] == "*#123* Login &lt;broken&gt;");
    CHECK(blocks[1]["type"] == "input");
    CHECK(blocks[1]["block_id"] == "note");
    CHECK(blocks[1]["optional"] == true);
    CHECK(blocks[1]["label"]["text"] == "Solving note (public reply to the requester)");
    CHECK(blocks[1]["element"]["type"] == "plain_text_input");
    CHECK(blocks[1]["element"]["action_id"] == "note");
    CHECK(blocks[1]["element"]["multiline"] == true);

    auto const expired = slack.run(slack.chat->open_solve_form("1337.99.unknown", draft));
    REQUIRE_FALSE(expired.has_value());
    CHECK(expired.error().message == "invalid_trigger_id");
    slack.check_no_violations();
}

TEST_CASE("slack web api: usergroup_members lists the group's users") {
    Slack slack;
    slack.fake.add_usergroup("S0SUPPORT", {"U0ALICE", "U0BOB"});
    auto const members = slack.run(slack.chat->usergroup_members("S0SUPPORT"));
    REQUIRE(members.has_value());
    CHECK(*members == std::vector<std::string>{"U0ALICE", "U0BOB"});
    auto const calls = slack.fake.calls("usergroups.users.list");
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].params["usergroup"] == "S0SUPPORT");

    auto const missing = slack.run(slack.chat->usergroup_members("S0NOPE"));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == Kind::not_found);
    slack.check_no_violations();
}

TEST_CASE("slack web api: respond posts an ephemeral answer to the response_url") {
    Slack slack;
    auto const url = slack.fake.response_url("T0FAKE/1/abc");
    CommandReply reply;
    reply.text = "Ticket #123 is now *pending*.";
    auto const answered = slack.run(slack.chat->respond(url, reply));
    REQUIRE(answered.has_value());
    auto const posts = slack.fake.response_url_posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].path == "/commands/T0FAKE/1/abc");
    CHECK(posts[0].body == json{{"response_type", "ephemeral"},
                                {"replace_original", false},
                                {"text", "Ticket #123 is now *pending*."}});
    REQUIRE(slack.sent.size() == 1);
    CHECK_FALSE(slack.sent[0].authorized);
    slack.check_no_violations();
}

TEST_CASE("slack web api: respond renders a listing as blocks") {
    Slack slack;
    CommandReply reply;
    TicketListing listing;
    listing.title = "Unassigned tickets";
    listing.more = 3;
    listing.lines.push_back({123, "https://acme.zendesk.com/agent/tickets/123", "Login <broken>",
                             "high", "open", "", "3d", "breaching"});
    listing.lines.push_back({124, "https://acme.zendesk.com/agent/tickets/124", "Export slow", "",
                             "pending", "Alex Agent", "5h", ""});
    reply.listing = listing;
    REQUIRE(
        slack.run(slack.chat->respond(slack.fake.response_url("T0FAKE/2/def"), reply)).has_value());
    auto const posts = slack.fake.response_url_posts();
    REQUIRE(posts.size() == 1);
    auto const& body = posts[0].body;
    CHECK(body["response_type"] == "ephemeral");
    CHECK(body["replace_original"] == false);
    CHECK(body["text"] == "Unassigned tickets");
    auto const& blocks = body["blocks"];
    REQUIRE(blocks.size() == 4);
    CHECK(blocks[0]["type"] == "header");
    CHECK(blocks[0]["text"]["text"] == "Unassigned tickets");
    CHECK(blocks[1]["text"]["text"] ==
          "*<https://acme.zendesk.com/agent/tickets/123|#123>* Login &lt;broken&gt;\n"
          "high · open · unassigned · 3d · SLA breaching");
    CHECK(blocks[2]["text"]["text"] ==
          "*<https://acme.zendesk.com/agent/tickets/124|#124>* Export slow\n"
          "pending · Alex Agent · 5h");
    CHECK(blocks[3]["type"] == "context");
    CHECK(blocks[3]["elements"][0]["text"] == "and 3 more");
    slack.check_no_violations();
}

TEST_CASE("slack web api: respond refuses a response_url off Slack's hosts without sending") {
    Slack slack;
    auto const port = slack.fake.base_url().substr(slack.fake.base_url().rfind(':') + 1);
    CommandReply reply;
    reply.text = "hello";
    std::vector<std::string> const foreign{"https://evil.example.com/commands/T0FAKE/1/abc",
                                           "https://hooks.slack.com.evil.example.com/commands/x",
                                           "https://hooks.slack.com@evil.example.com/commands/x",
                                           "http://hooks.slack.com/commands/x",
                                           "https://hooks.slack.com:8443/commands/x",
                                           "http://127.0.0.1:1/commands/x",
                                           "http://user@127.0.0.1:" + port + "/commands/x",
                                           "ftp://127.0.0.1:" + port + "/commands/x",
                                           "/commands/x",
                                           "not a url",
                                           ""};
    for (auto const& url : foreign) {
        CAPTURE(url);
        auto const refused = slack.run(slack.chat->respond(url, reply));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == Kind::rejected);
        CHECK(refused.error().message.find(kToken) == std::string::npos);
    }
    CHECK(slack.sent.empty());
    CHECK(slack.fake.response_url_posts().empty());
}

TEST_CASE("slack web api: a used-up response_url is rejected") {
    Slack slack;
    auto const url = slack.fake.response_url("T0FAKE/3/ghi");
    CommandReply reply;
    reply.text = "again";
    for (int i = 0; i < 5; ++i) REQUIRE(slack.run(slack.chat->respond(url, reply)).has_value());
    auto const sixth = slack.run(slack.chat->respond(url, reply));
    REQUIRE_FALSE(sixth.has_value());
    CHECK(sixth.error().kind == Kind::rejected);
    CHECK(sixth.error().message == "used_url");
}

TEST_CASE("slack web api: errors map to the flows' kinds") {
    Slack slack;
    slack.fake.add_message(kChannel, kRoot, "U0ALICE", "Login is broken");

    SUBCASE("429 with Retry-After is rate_limited") {
        slack.fake.server().fail_next(Fault::status_429, 1, 7s);
        auto const limited = slack.run(slack.chat->post(kChannel, kRoot, "hi"));
        REQUIRE_FALSE(limited.has_value());
        CHECK(limited.error().kind == Kind::rate_limited);
        CHECK(limited.error().retry_after == std::chrono::milliseconds{7000});
        CHECK(limited.error().transient());
    }
    SUBCASE("after a 429 the method waits out its Retry-After, then keeps to its tier; other methods go on") {
        slack.fake.server().fail_next(Fault::status_429, 1, 45s);  // longer than a call waits in place
        auto const limited = slack.run(slack.chat->permalink(kChannel, kRoot));
        REQUIRE_FALSE(limited.has_value());
        CHECK(limited.error().kind == Kind::rate_limited);
        auto const before = slack.fake.calls().size();
        auto const held = slack.run(slack.chat->permalink(kChannel, kRoot));
        REQUIRE_FALSE(held.has_value());
        CHECK(held.error().kind == Kind::rate_limited);
        CHECK(held.error().message == "held back: Slack limited chat.getPermalink");
        REQUIRE(held.error().retry_after);
        CHECK(*held.error().retry_after > 40s);
        CHECK(slack.fake.calls().size() == before);  // Slack never saw it
        CHECK(slack.run(slack.chat->post(kChannel, kRoot, "other methods go on")).has_value());
        CHECK(slack.fake.calls().size() == before + 1);
        CHECK(tb::slack::WebCaller::tier_per_minute("conversations.replies") == 50);
        CHECK(tb::slack::WebCaller::tier_per_minute("chat.postMessage") == 0);
    }
    SUBCASE("posts to one channel are paced, and a turn more than 2 s away is told to come back") {
        slack.fake.enforce_channel_limit(true);
        std::vector<std::optional<tb::bot::ApiResult<std::string>>> results(4);
        auto const started = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < results.size(); ++i) {
            asio::co_spawn(slack.ioc, slack.chat->post(kChannel, kRoot, "burst " + std::to_string(i)),
                           [&results, i](std::exception_ptr e, tb::bot::ApiResult<std::string> r) {
                               if (e) std::rethrow_exception(e);
                               results[i].emplace(std::move(r));
                           });
        }
        slack.ioc.restart();
        slack.ioc.run_for(10s);
        auto const took = std::chrono::steady_clock::now() - started;
        int ok = 0;
        std::optional<ApiError> told;
        for (auto& r : results) {
            REQUIRE(r.has_value());
            if (r->has_value()) {
                ++ok;
            } else {
                told = r->error();
            }
        }
        CHECK(ok == 3);
        REQUIRE(told.has_value());
        CHECK(told->kind == Kind::rate_limited);
        CHECK(told->retry_after >= std::chrono::milliseconds{2500});
        CHECK(took >= 1900ms);
        int posted = 0;
        for (auto const& call : slack.fake.calls()) {
            if (call.method != "chat.postMessage") continue;
            ++posted;
            CHECK(call.status == 200);  // Slack's channel limit never had to answer 429
        }
        CHECK(posted == 3);
    }
    SUBCASE("500 is unavailable") {
        slack.fake.server().fail_next(Fault::status_500);
        auto const failed = slack.run(slack.chat->permalink(kChannel, kRoot));
        REQUIRE_FALSE(failed.has_value());
        CHECK(failed.error().kind == Kind::unavailable);
    }
    SUBCASE("no answer is unavailable") {
        slack.fake.server().fail_next(Fault::close, 2);
        auto const failed = slack.run(slack.chat->identity());
        REQUIRE_FALSE(failed.has_value());
        CHECK(failed.error().kind == Kind::unavailable);
    }
    SUBCASE("ok:false is rejected with Slack's code, and never shows the token") {
        slack.fake.add_channel("C0OUTSIDE", "elsewhere", false);
        auto const refused = slack.run(slack.chat->post("C0OUTSIDE", "", "hi"));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == Kind::rejected);
        CHECK(refused.error().message == "not_in_channel");

        auto wrong =
            tb::slack::make_slack_chat(slack.client, slack.fake.api_url(), "xoxb-0000-wrong-token");
        auto const unauthorised = slack.run(wrong->post(kChannel, "", "hi"));
        REQUIRE_FALSE(unauthorised.has_value());
        CHECK(unauthorised.error().kind == Kind::rejected);
        CHECK(unauthorised.error().message == "invalid_auth");
    }
    slack.check_no_violations();
}

TEST_CASE("slack web api: the tier table the service keeps matches Slack's published tiers, method by method") {
    auto const& published = tb::fakes::slack_detail::tier_floors();
    REQUIRE_FALSE(tb::slack::WebCaller::tiers().empty());
    for (auto const& [method, per_minute] : tb::slack::WebCaller::tiers()) {
        auto const it = published.find(method);
        REQUIRE_MESSAGE(it != published.end(), method, " is not in specs/slack/rate-limit-tiers.json");
        CHECK_MESSAGE(per_minute == it->second, method, ": ", per_minute, " a minute, published ", it->second);
    }
    CHECK(tb::slack::WebCaller::tiers().count("chat.postMessage") == 0);  // paced per channel instead
}
