#include <map>
#include <string>
#include <utility>

#include "adapters/config/sections.hpp"
#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

void read_emoji(YamlReader& reader, Field const& field, std::string& emoji) {
    auto const text = reader.string(field);
    if (!text) return;
    if (auto name = emoji_name(*text)) {
        emoji = std::move(*name);
        return;
    }
    reader.report(field,
                  "expected an emoji name like ticket or :ticket: (no other colons, no "
                  "spaces); got " +
                      describe(field.node));
}

void read_authorized(YamlReader& reader, Field const& field, bot::AuthorizedSettings& authorized) {
    auto const users = [&](Field const& value) {
        if (auto ids = reader.strings(value, is_user_id, "a Slack user id like U0123ABCD")) {
            authorized.users = std::move(*ids);
        }
    };
    auto const usergroups = [&](Field const& value) {
        if (auto ids =
                reader.strings(value, is_usergroup_id, "a Slack user group id like S0123ABCD")) {
            authorized.usergroups = std::move(*ids);
        }
    };
    reader.read_map(field, {{"users", users}, {"usergroups", usergroups}});
}

// channel id → path of the channel that first used it
using SeenChannels = std::map<std::string, std::string, std::less<>>;

bot::ChannelSettings read_channel(YamlReader& reader, Field const& item, SeenChannels& seen) {
    bot::ChannelSettings channel;
    bool has_id = false;
    reader.read_map(
        item,
        {
            {"id",
             [&](Field const& value) {
                 has_id = true;
                 auto id = read_channel_id(reader, value);
                 if (!id) return;
                 auto const [first, inserted] = seen.emplace(*id, item.path);
                 if (!inserted) {
                     reader.report(value,
                                   "duplicate channel id " + *id + " (also " + first->second + ")");
                 }
                 channel.id = std::move(*id);
             }},
            {"name",
             [&](Field const& value) {
                 auto name = reader.string(value);
                 if (!name) return;
                 // Operators write "#login-iaa" as Slack shows it; keep the bare name.
                 if (name->front() == '#') name->erase(0, 1);
                 channel.name = std::move(*name);
             }},
            {"group", [&](Field const& value) { channel.group = reader.string(value); }},
            {"priority", [&](Field const& value) { channel.priority = reader.priority(value); }},
            {"thread_replies",
             [&](Field const& value) {
                 auto const text = reader.string(value);
                 if (!text) return;
                 if (auto const replies = parse_thread_replies(*text)) {
                     channel.thread_replies = *replies;
                 } else {
                     reader.report(value, "expected one of public, internal, off; got " +
                                              describe(value.node));
                 }
             }},
            {"zendesk_notes",
             [&](Field const& value) {
                 auto const text = reader.string(value);
                 if (!text) return;
                 if (*text == "post" || *text == "skip") {
                     channel.post_zendesk_notes = *text == "post";
                 } else {
                     reader.report(value, "expected one of post, skip; got " + describe(value.node));
                 }
             }},
        });
    if (!has_id && (item.node.IsMap() || item.node.IsNull())) {
        reader.report(item, "missing required key id (the channel's id, like C0123ABCD)");
    }
    return channel;
}

// The bot marks a message with created_emoji itself; were it the ticket emoji too, its own mark
// would read as a request for another ticket.
void check_emojis_differ(YamlReader& reader, bot::SlackSettings const& slack,
                         std::optional<Field> const& ticket, std::optional<Field> const& created) {
    if (slack.ticket_emoji != slack.created_emoji) return;
    auto const both = " (both are " + slack.ticket_emoji + ")";
    if (created) {
        reader.report(*created, "must differ from slack.ticket_emoji" + both);
    } else if (ticket) {
        reader.report(*ticket, "must differ from slack.created_emoji" + both);
    }
}

}  // namespace

std::optional<std::string> read_channel_id(YamlReader& reader, Field const& field) {
    auto id = reader.string(field);
    if (!id) return std::nullopt;
    if (!is_channel_id(*id)) {
        reader.report(field,
                      "expected a Slack channel id like C0123ABCD (not a channel name); got " +
                          describe(field.node));
        return std::nullopt;
    }
    return id;
}

void read_slack(YamlReader& reader, Field const& field, bot::SlackSettings& slack) {
    std::optional<Field> ticket_field;
    std::optional<Field> created_field;
    reader.read_map(
        field, {
                   {"ticket_emoji",
                    [&](Field const& value) {
                        ticket_field = value;
                        read_emoji(reader, value, slack.ticket_emoji);
                    }},
                   {"created_emoji",
                    [&](Field const& value) {
                        created_field = value;
                        read_emoji(reader, value, slack.created_emoji);
                    }},
                   {"alert_channel",
                    [&](Field const& value) {
                        if (auto id = read_channel_id(reader, value))
                            slack.alert_channel = std::move(*id);
                    }},
                   {"authorized",
                    [&](Field const& value) { read_authorized(reader, value, slack.authorized); }},
                   {"channels",
                    [&](Field const& value) {
                        SeenChannels seen;
                        reader.read_list(value, [&](Field const& item) {
                            slack.channels.push_back(read_channel(reader, item, seen));
                        });
                    }},
               });
    check_emojis_differ(reader, slack, ticket_field, created_field);
}

}  // namespace tb::config
