#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "adapters/zendesk/webhook_events.hpp"

namespace {

using Kind = tb::bot::DeskEvent::Kind;

std::string sample(std::string const& name) {
    std::ifstream in{std::string{TB_SPECS_DIR} + "/zendesk/samples/webhooks/" + name};
    REQUIRE_MESSAGE(in.good(), name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("zendesk webhook events: Zendesk's samples read as ticket events") {
    auto const status = tb::zendesk::parse_desk_event(sample("event.ticket.status_changed.illustrative.json"));
    REQUIRE(status);
    CHECK(status->kind == Kind::status_changed);
    CHECK(status->previous == "open");
    CHECK(status->current == "solved");
    CHECK(status->ticket_id > 0);
    CHECK(status->actor_id.has_value());
    CHECK(status->time != tb::bot::Instant{});

    auto const comment = tb::zendesk::parse_desk_event(sample("event.ticket.comment_added.illustrative.json"));
    REQUIRE(comment);
    CHECK(comment->kind == Kind::comment_added);
    CHECK(comment->ticket_id == 5158);
    CHECK(comment->comment_id == 9876543210);
    CHECK(comment->comment_public);
    CHECK(comment->comment_author == "Support Agent");
    CHECK(comment->comment_by_staff);
    CHECK(comment->comment_author_id == 8447388090495);
    CHECK(comment->comment_body == "We are investigating this issue and will update you shortly.");

    auto const assigned = tb::zendesk::parse_desk_event(sample("event.ticket.agent_assignment_changed.illustrative.json"));
    REQUIRE(assigned);
    CHECK(assigned->kind == Kind::assignee_changed);
    CHECK(assigned->current_id == 8447388090496);

    auto const priority = tb::zendesk::parse_desk_event(sample("event.ticket.priority_changed.illustrative.json"));
    REQUIRE(priority);
    CHECK(priority->current == "urgent");

    auto const created = tb::zendesk::parse_desk_event(sample("event.ticket.created.illustrative.json"));
    REQUIRE(created);
    CHECK(created->kind == Kind::other);
}

TEST_CASE("zendesk webhook events: other bodies are not ticket events and never throw") {
    CHECK_FALSE(tb::zendesk::parse_desk_event(sample("event.user.group_membership_created.json")));
    CHECK_FALSE(tb::zendesk::parse_desk_event(sample("trigger.custom_body.ticket_update.json")));
    for (auto const* junk : {"", "null", "[]", "{", R"({"type":"zen:event-type:ticket.status_changed","subject":"zen:ticket:abc"})",
                             R"({"type":"zen:event-type:ticket.status_changed","subject":"zen:ticket:12","event":[],"detail":7})"}) {
        CAPTURE(junk);
        CHECK_NOTHROW(tb::zendesk::parse_desk_event(junk));
    }
    auto const minimal = tb::zendesk::parse_desk_event(R"({"type":"zen:event-type:ticket.soft_deleted","subject":"zen:ticket:12"})");
    REQUIRE(minimal);
    CHECK(minimal->kind == Kind::deleted);
    CHECK(minimal->ticket_id == 12);
}
