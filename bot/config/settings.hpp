#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tb::bot {

enum class Priority { low, normal, high, urgent };
enum class ThreadReplies { public_reply, internal_note, off };
enum class Weekday { sun, mon, tue, wed, thu, fri, sat };

struct ListenSettings {
    std::string address = "0.0.0.0";
    std::uint16_t port = 3000;
};

// Limits of the inbound HTTP server (config key `server`).
struct ServerSettings {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 8 * 1024;
    std::chrono::milliseconds read_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::size_t max_connections = 1024;
    std::chrono::milliseconds shutdown_grace{10'000};
};

struct AuthorizedSettings {
    std::vector<std::string> users;
    std::vector<std::string> usergroups;
};

struct ChannelSettings {
    std::string id;
    std::string name;
    std::optional<std::string> group;
    std::optional<Priority> priority;
    ThreadReplies thread_replies = ThreadReplies::public_reply;
    bool post_zendesk_notes = false;  // Zendesk's internal notes also appear in the thread
};

struct SlackSettings {
    std::string ticket_emoji = "ticket";
    std::string created_emoji = "white_check_mark";
    std::string alert_channel;
    AuthorizedSettings authorized;
    std::vector<ChannelSettings> channels;
};

struct ZendeskSettings {
    std::optional<std::string> default_group;
    std::vector<std::string> tags{"slack"};
    int requests_per_minute = 700;
    // How often Zendesk's incremental export is read for changes webhooks missed.
    std::chrono::milliseconds catch_up_every{std::chrono::minutes{5}};
};

struct TriageRule {
    std::vector<std::string> keywords;  // case-insensitive words or phrases
    std::vector<std::string> channels;  // channel ids; empty = any watched channel
    std::optional<std::string> group;
    std::optional<Priority> priority;
    std::vector<std::string> tags;
};

struct Date {
    int year{};
    unsigned month{};
    unsigned day{};
    friend bool operator==(Date const&, Date const&) = default;
    friend auto operator<=>(Date const&, Date const&) = default;
};

struct SlaCalendarSettings {
    std::string timezone = "UTC";
    std::vector<Weekday> workdays{Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu,
                                  Weekday::fri};
    std::chrono::minutes day_start{9 * 60};  // local time of day work starts
    std::chrono::minutes day_end{17 * 60 + 30};
    std::vector<Date> holidays;  // with the holidays file's, once loaded; sorted, unique
    std::optional<std::string> holidays_file;  // the UK government's bank-holidays JSON format
    std::string holidays_division = "england-and-wales";  // which division of that file
};

// A span of working time: "2d" is two working days, "4h" four working hours.
struct WorkingSpan {
    enum class Unit { days, hours, minutes };
    std::int64_t amount{};
    Unit unit = Unit::days;
    friend bool operator==(WorkingSpan const&, WorkingSpan const&) = default;
};

struct SlaTargets {
    double first_reply = 0.80;
    double resolution = 0.80;
};

// Tickets that owe other service levels, such as a department's. A ticket is in the segment when it
// has any of the tags or belongs to any of the organisations.
struct SlaSegment {
    std::string name;
    std::vector<std::string> tags;
    std::vector<std::int64_t> organization_ids;
    std::optional<WorkingSpan> first_reply;  // unset: the default
    std::optional<WorkingSpan> resolution;
    std::optional<double> first_reply_target;
    std::optional<double> resolution_target;
};

struct SlaSettings {
    SlaCalendarSettings calendar;
    WorkingSpan first_reply{2, WorkingSpan::Unit::days};
    WorkingSpan resolution{5, WorkingSpan::Unit::days};
    WorkingSpan pending_too_long{5, WorkingSpan::Unit::days};
    WorkingSpan warn_before{4, WorkingSpan::Unit::hours};
    SlaTargets targets;
    // Statuses in which the resolution clock stops: the ticket waits on the requester or a third
    // party.
    std::vector<std::string> resolution_pauses{"pending", "hold"};
    std::vector<SlaSegment> segments;  // the first that matches a ticket wins
    // Each working day at this local time the alert channel lists the tickets pending longer than
    // pending_too_long, each with a "Solve with note" button that solves it with pending_note (a
    // public reply, as the team's macro would). pending_auto_solve solves them at that time instead.
    std::chrono::minutes pending_digest_at{9 * 60 + 30};
    std::string pending_note =
        "We haven't heard back from you for a while, so we are marking this request as solved. "
        "If you still need help, just reply and it will open again.";
    bool pending_auto_solve = false;
};

// Everything from the YAML file; secrets never live here (see Secrets).
struct Settings {
    ListenSettings listen;
    ServerSettings server;
    SlackSettings slack;
    ZendeskSettings zendesk;
    std::vector<TriageRule> triage;
    SlaSettings sla;
};

// Secrets and API bases, from the environment only.
struct Secrets {
    std::string slack_signing_secret;
    std::string slack_bot_token;
    std::string slack_app_token;
    std::string zendesk_email;
    std::string zendesk_api_token;
    std::string zendesk_oauth_token;
    std::string zendesk_webhook_secret;
    std::string zendesk_url;  // https://acme.zendesk.com, no default
    std::string slack_api_url = "https://slack.com/api";
    std::string database_url = "sqlite:ticketbridge.db";
};

}  // namespace tb::bot
