#include "adapters/config/environment.hpp"

#include <cctype>

#include "adapters/http/url_policy.hpp"

namespace tb::config {
namespace {

constexpr std::string_view kMask = "****";

std::string_view trim(std::string_view text) noexcept {
    auto const first = text.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos) return {};
    auto const last = text.find_last_not_of(" \t\r\n\f\v");
    return text.substr(first, last - first + 1);
}

void check_api_base(std::string_view variable, std::string const& url,
                    std::vector<std::string>& problems) {
    std::string why;
    if (!http::is_acceptable_api_base(url, why)) {
        problems.push_back(std::string{variable} + " is refused: " + why);
    }
}

void check_slack(bot::Secrets const& secrets, std::vector<std::string>& problems) {
    if (secrets.slack_signing_secret.empty()) {
        problems.emplace_back(
            "SLACK_SIGNING_SECRET is not set (Slack app settings, Basic "
            "Information, Signing Secret)");
    }
    if (secrets.slack_bot_token.empty()) {
        problems.emplace_back(
            "SLACK_BOT_TOKEN is not set (the xoxb- token from the Slack app's "
            "OAuth & Permissions page)");
    } else if (!secrets.slack_bot_token.starts_with("xoxb-")) {
        problems.emplace_back("SLACK_BOT_TOKEN does not look like a bot token (expected xoxb-…)");
    }
    if (!secrets.slack_app_token.empty() && !secrets.slack_app_token.starts_with("xapp-")) {
        problems.emplace_back(
            "SLACK_APP_TOKEN does not look like an app-level token (expected "
            "xapp-…)");
    }
    check_api_base("SLACK_API_URL", secrets.slack_api_url, problems);
}

void check_zendesk_credentials(bot::Secrets const& secrets, std::vector<std::string>& problems) {
    bool const has_email = !secrets.zendesk_email.empty();
    bool const has_api_token = !secrets.zendesk_api_token.empty();
    if (has_email && (secrets.zendesk_email.find('@') == std::string::npos ||
                      secrets.zendesk_email.ends_with("/token"))) {
        problems.emplace_back(
            "ZENDESK_EMAIL must be the agent's e-mail address alone (the "
            "service adds /token itself)");
    }
    if (!secrets.zendesk_oauth_token.empty()) return;
    if (!has_email && !has_api_token) {
        problems.emplace_back(
            "Zendesk credentials are not set: set ZENDESK_EMAIL and "
            "ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN");
    } else if (!has_api_token) {
        problems.emplace_back(
            "ZENDESK_API_TOKEN is not set (needed with ZENDESK_EMAIL; or set "
            "ZENDESK_OAUTH_TOKEN instead)");
    } else if (!has_email) {
        problems.emplace_back(
            "ZENDESK_EMAIL is not set (needed with ZENDESK_API_TOKEN; or set "
            "ZENDESK_OAUTH_TOKEN instead)");
    }
}

void check_zendesk(bot::Secrets const& secrets, std::vector<std::string>& problems) {
    if (secrets.zendesk_url.empty()) {
        problems.emplace_back(
            "ZENDESK_URL is not set (the account's address, like "
            "https://acme.zendesk.com)");
    } else {
        check_api_base("ZENDESK_URL", secrets.zendesk_url, problems);
        if (secrets.zendesk_url.find("/api/v2") != std::string::npos) {
            problems.emplace_back(
                "ZENDESK_URL must not contain /api/v2: give the account's "
                "address, like https://acme.zendesk.com, and the service adds "
                "/api/v2");
        }
    }
    if (secrets.zendesk_webhook_secret.empty()) {
        problems.emplace_back(
            "ZENDESK_WEBHOOK_SECRET is not set (the signing secret of the "
            "Zendesk webhook)");
    }
    check_zendesk_credentials(secrets, problems);
}

void check_database(bot::Secrets const& secrets, std::vector<std::string>& problems) {
    auto const& url = secrets.database_url;
    bool const sqlite =
        url.starts_with("sqlite:") && url.size() > std::string_view{"sqlite:"}.size();
    bool const postgres = url.starts_with("postgresql://") || url.starts_with("postgres://");
    if (!sqlite && !postgres) {
        problems.emplace_back(
            "DATABASE_URL must be sqlite:PATH (like sqlite:ticketbridge.db) or "
            "postgresql://…");
    }
}

bool mentions_password(std::string_view text) {
    std::string lower{text};
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("password") != std::string::npos;
}

// Masks `password=` values in a query string ("a=1&password=x" → "a=1&password=****").
std::string redact_query(std::string_view query) {
    std::string out;
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const param = query.substr(0, amp);
        out +=
            param.starts_with("password=") ? "password=" + std::string{kMask} : std::string{param};
        if (amp == std::string_view::npos) break;
        out += '&';
        query.remove_prefix(amp + 1);
    }
    return out;
}

}  // namespace

bot::Secrets secrets_from_environment(std::function<char const*(char const*)> getenv) {
    auto const read = [&getenv](char const* name, std::string& value) {
        char const* const raw = getenv(name);
        if (raw == nullptr) return;
        auto const text = trim(raw);
        if (!text.empty()) value = std::string{text};
    };
    bot::Secrets secrets;
    read("SLACK_SIGNING_SECRET", secrets.slack_signing_secret);
    read("SLACK_BOT_TOKEN", secrets.slack_bot_token);
    read("SLACK_APP_TOKEN", secrets.slack_app_token);
    read("ZENDESK_EMAIL", secrets.zendesk_email);
    read("ZENDESK_API_TOKEN", secrets.zendesk_api_token);
    read("ZENDESK_OAUTH_TOKEN", secrets.zendesk_oauth_token);
    read("ZENDESK_WEBHOOK_SECRET", secrets.zendesk_webhook_secret);
    read("ZENDESK_URL", secrets.zendesk_url);
    read("SLACK_API_URL", secrets.slack_api_url);
    read("DATABASE_URL", secrets.database_url);
    for (auto* url : {&secrets.zendesk_url, &secrets.slack_api_url}) {
        while (url->ends_with('/')) url->pop_back();
    }
    return secrets;
}

std::vector<std::string> check_secrets_for_serve(bot::Secrets const& secrets) {
    std::vector<std::string> problems;
    check_slack(secrets, problems);
    check_zendesk(secrets, problems);
    check_database(secrets, problems);
    return problems;
}

std::string redact_url(std::string_view url) {
    auto const scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return mentions_password(url) ? "(not shown: it mentions a password)" : std::string{url};
    }
    auto const authority_start = scheme_end + 3;
    auto const authority_end = url.find_first_of("/?#", authority_start);
    auto const authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : authority_end - authority_start);
    std::string out{url.substr(0, authority_start)};
    auto const at = authority.rfind('@');
    if (at != std::string_view::npos) {
        auto const userinfo = authority.substr(0, at);
        auto const colon = userinfo.find(':');
        out += colon == std::string_view::npos
                   ? std::string{userinfo}
                   : std::string{userinfo.substr(0, colon + 1)} + std::string{kMask};
        out += authority.substr(at);
    } else {
        out += authority;
    }
    if (authority_end == std::string_view::npos) return out;
    auto rest = url.substr(authority_end);
    auto const question = rest.find('?');
    if (question == std::string_view::npos) return out + std::string{rest};
    auto const hash = rest.find('#', question);
    out += rest.substr(0, question + 1);
    out += redact_query(rest.substr(question + 1, hash == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : hash - question - 1));
    if (hash != std::string_view::npos) out += rest.substr(hash);
    return out;
}

}  // namespace tb::config
