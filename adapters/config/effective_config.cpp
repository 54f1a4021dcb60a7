#include "adapters/config/effective_config.hpp"

#include <string_view>

#include <yaml-cpp/yaml.h>

#include "adapters/config/environment.hpp"
#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

// Enough digits for 0.8 to print as 0.8 rather than 0.80000000000000004.
constexpr std::size_t kTargetDigits = 15;

template <class Value>
void entry(YAML::Emitter& out, std::string_view key, Value const& value) {
    out << YAML::Key << std::string{key} << YAML::Value << value;
}

void entry(YAML::Emitter& out, std::string_view key, std::string_view value) {
    entry(out, key, std::string{value});
}

void flow_list(YAML::Emitter& out, std::string_view key, std::vector<std::string> const& values) {
    out << YAML::Key << std::string{key} << YAML::Value << YAML::Flow << values;
}

// An unset optional is left out, so the output still loads, with a comment saying so.
void optional_entry(YAML::Emitter& out, std::string_view key,
                    std::optional<std::string> const& value, std::string_view when_unset) {
    if (value) {
        entry(out, key, *value);
    } else {
        std::string comment{key};
        comment.append(": not set; ").append(when_unset);
        out << YAML::Comment(comment);
    }
}

void emit_listen_and_server(YAML::Emitter& out, bot::Settings const& settings) {
    out << YAML::Key << "listen" << YAML::Value << YAML::BeginMap;
    entry(out, "address", settings.listen.address);
    entry(out, "port", settings.listen.port);
    out << YAML::EndMap;

    auto const& server = settings.server;
    out << YAML::Key << "server" << YAML::Value << YAML::BeginMap;
    entry(out, "max_body_bytes", server.max_body_bytes);
    entry(out, "max_header_bytes", server.max_header_bytes);
    entry(out, "read_timeout", format_duration(server.read_timeout));
    entry(out, "idle_timeout", format_duration(server.idle_timeout));
    entry(out, "max_connections", server.max_connections);
    entry(out, "shutdown_grace", format_duration(server.shutdown_grace));
    out << YAML::EndMap;
}

void emit_channel(YAML::Emitter& out, bot::ChannelSettings const& channel) {
    out << YAML::BeginMap;
    entry(out, "id", channel.id);
    if (!channel.name.empty()) entry(out, "name", channel.name);
    if (channel.group) entry(out, "group", *channel.group);
    if (channel.priority) entry(out, "priority", priority_name(*channel.priority));
    entry(out, "thread_replies", thread_replies_name(channel.thread_replies));
    entry(out, "zendesk_notes", channel.post_zendesk_notes ? "post" : "skip");
    out << YAML::EndMap;
}

void emit_slack(YAML::Emitter& out, bot::SlackSettings const& slack) {
    out << YAML::Key << "slack" << YAML::Value << YAML::BeginMap;
    entry(out, "ticket_emoji", slack.ticket_emoji);
    entry(out, "created_emoji", slack.created_emoji);
    if (slack.alert_channel.empty()) {
        out << YAML::Comment("alert_channel: not set; SLA warnings are not posted");
    } else {
        entry(out, "alert_channel", slack.alert_channel);
    }
    out << YAML::Key << "authorized" << YAML::Value << YAML::BeginMap;
    flow_list(out, "users", slack.authorized.users);
    flow_list(out, "usergroups", slack.authorized.usergroups);
    out << YAML::EndMap;
    out << YAML::Key << "channels" << YAML::Value << YAML::BeginSeq;
    for (auto const& channel : slack.channels) emit_channel(out, channel);
    out << YAML::EndSeq << YAML::EndMap;
}

void emit_zendesk(YAML::Emitter& out, bot::ZendeskSettings const& zendesk) {
    out << YAML::Key << "zendesk" << YAML::Value << YAML::BeginMap;
    optional_entry(out, "default_group", zendesk.default_group,
                   "tickets go to the account's default group");
    flow_list(out, "tags", zendesk.tags);
    entry(out, "requests_per_minute", zendesk.requests_per_minute);
    entry(out, "catch_up_every", format_duration(zendesk.catch_up_every));
    out << YAML::EndMap;
}

void emit_triage(YAML::Emitter& out, std::vector<bot::TriageRule> const& rules) {
    out << YAML::Key << "triage" << YAML::Value << YAML::BeginSeq;
    for (auto const& rule : rules) {
        out << YAML::BeginMap;
        if (!rule.keywords.empty()) flow_list(out, "keywords", rule.keywords);
        if (!rule.channels.empty()) flow_list(out, "channels", rule.channels);
        if (rule.group) entry(out, "group", *rule.group);
        if (rule.priority) entry(out, "priority", priority_name(*rule.priority));
        if (!rule.tags.empty()) flow_list(out, "tags", rule.tags);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void emit_segment(YAML::Emitter& out, bot::SlaSegment const& segment) {
    out << YAML::BeginMap;
    entry(out, "name", segment.name);
    if (!segment.tags.empty()) flow_list(out, "tags", segment.tags);
    if (!segment.organization_ids.empty()) {
        out << YAML::Key << "organization_ids" << YAML::Value << YAML::Flow
            << segment.organization_ids;
    }
    if (segment.first_reply) entry(out, "first_reply", format_span(*segment.first_reply));
    if (segment.resolution) entry(out, "resolution", format_span(*segment.resolution));
    if (segment.first_reply_target || segment.resolution_target) {
        out << YAML::Key << "targets" << YAML::Value << YAML::BeginMap;
        if (segment.first_reply_target) entry(out, "first_reply", *segment.first_reply_target);
        if (segment.resolution_target) entry(out, "resolution", *segment.resolution_target);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emit_sla(YAML::Emitter& out, bot::SlaSettings const& sla) {
    auto const& calendar = sla.calendar;
    std::vector<std::string> workdays;
    for (auto const day : calendar.workdays) workdays.emplace_back(weekday_name(day));
    std::vector<std::string> holidays;
    for (auto const& day : calendar.holidays) holidays.push_back(format_date(day));

    out << YAML::Key << "sla" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "calendar" << YAML::Value << YAML::BeginMap;
    entry(out, "timezone", calendar.timezone);
    flow_list(out, "workdays", workdays);
    entry(out, "hours", format_hours(calendar.day_start, calendar.day_end));
    out << YAML::Key << "holidays" << YAML::Value << holidays;
    if (calendar.holidays_file) {
        entry(out, "holidays_file", *calendar.holidays_file);
        entry(out, "holidays_division", calendar.holidays_division);
    }
    out << YAML::EndMap;
    entry(out, "first_reply", format_span(sla.first_reply));
    entry(out, "resolution", format_span(sla.resolution));
    flow_list(out, "resolution_pauses", sla.resolution_pauses);
    entry(out, "pending_too_long", format_span(sla.pending_too_long));
    entry(out, "warn_before", format_span(sla.warn_before));
    entry(out, "pending_digest_at", format_time_of_day(sla.pending_digest_at));
    entry(out, "pending_note", sla.pending_note);
    entry(out, "pending_auto_solve", sla.pending_auto_solve);
    out << YAML::Key << "targets" << YAML::Value << YAML::BeginMap;
    entry(out, "first_reply", sla.targets.first_reply);
    entry(out, "resolution", sla.targets.resolution);
    out << YAML::EndMap;
    out << YAML::Key << "segments" << YAML::Value << YAML::BeginSeq;
    for (auto const& segment : sla.segments) emit_segment(out, segment);
    out << YAML::EndSeq << YAML::EndMap;
}

std::string_view masked(std::string const& secret) {
    return secret.empty() ? "not set" : "set (masked)";
}

std::string in_clear(std::string const& url) { return url.empty() ? "not set" : redact_url(url); }

void emit_environment(YAML::Emitter& out, bot::Secrets const& secrets) {
    out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
    entry(out, "SLACK_SIGNING_SECRET", masked(secrets.slack_signing_secret));
    entry(out, "SLACK_BOT_TOKEN", masked(secrets.slack_bot_token));
    entry(out, "SLACK_APP_TOKEN", masked(secrets.slack_app_token));
    entry(out, "ZENDESK_EMAIL", masked(secrets.zendesk_email));
    entry(out, "ZENDESK_API_TOKEN", masked(secrets.zendesk_api_token));
    entry(out, "ZENDESK_OAUTH_TOKEN", masked(secrets.zendesk_oauth_token));
    entry(out, "ZENDESK_WEBHOOK_SECRET", masked(secrets.zendesk_webhook_secret));
    entry(out, "ZENDESK_URL", in_clear(secrets.zendesk_url));
    entry(out, "SLACK_API_URL", in_clear(secrets.slack_api_url));
    entry(out, "DATABASE_URL", in_clear(secrets.database_url));
    out << YAML::EndMap;
}

}  // namespace

std::string render_effective_config(bot::Settings const& settings, bot::Secrets const& secrets) {
    YAML::Emitter out;
    out.SetDoublePrecision(kTargetDigits);
    out << YAML::BeginMap;
    emit_listen_and_server(out, settings);
    emit_slack(out, settings.slack);
    emit_zendesk(out, settings.zendesk);
    emit_triage(out, settings.triage);
    emit_sla(out, settings.sla);
    emit_environment(out, secrets);
    out << YAML::EndMap;
    return std::string{out.c_str()} + "\n";
}

}  // namespace tb::config
