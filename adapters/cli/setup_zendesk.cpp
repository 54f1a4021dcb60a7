#include "adapters/cli/setup_zendesk.hpp"

#include <algorithm>
#include <exception>
#include <ostream>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>

#include "adapters/config/environment.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/url_policy.hpp"
#include "adapters/zendesk/webhooks_api.hpp"

namespace tb::cli {
namespace {

namespace asio = boost::asio;
using zendesk::Webhook;

constexpr std::string_view kWebhookPath = "/zendesk/webhook";
constexpr std::string_view kTriggerSubscription = "conditional_ticket_events";

// `<url>/zendesk/webhook`, or "" with `why` set. A URL that already ends in the path is taken
// as the endpoint itself.
std::string endpoint_for(std::string url, std::string& why) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    std::string problem;
    if (url.empty()) {
        why = "--url is empty: give the public https:// address of this service";
        return {};
    }
    if (!http::is_acceptable_api_base(url, problem)) {
        why = "--url " + url + ": " + problem;
        return {};
    }
    auto const parsed = boost::urls::parse_absolute_uri(url);
    if (parsed->has_query() || parsed->has_fragment() || parsed->has_userinfo()) {
        why = "--url " + url + ": give the service's base address, without ?query, #fragment or user";
        return {};
    }
    if (url.ends_with(kWebhookPath)) url.resize(url.size() - kWebhookPath.size());
    return url + std::string{kWebhookPath};
}

std::string missing_environment(bot::Secrets const& secrets) {
    if (secrets.zendesk_url.empty()) {
        return "ZENDESK_URL is not set (the account's address, like https://acme.zendesk.com)";
    }
    if (std::string why; !http::is_acceptable_api_base(secrets.zendesk_url, why)) {
        return "ZENDESK_URL " + why;
    }
    if (!secrets.zendesk_oauth_token.empty()) return {};
    if (secrets.zendesk_email.empty() || secrets.zendesk_api_token.empty()) {
        return "Zendesk credentials are not set: set ZENDESK_EMAIL and ZENDESK_API_TOKEN, or "
               "ZENDESK_OAUTH_TOKEN";
    }
    return {};
}

bool same_set(std::vector<std::string> a, std::vector<std::string> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
    return a == b;
}

// What an update would change, one phrase each; empty when the webhook is as wanted.
std::vector<std::string> differences(Webhook const& have, Webhook const& want) {
    std::vector<std::string> out;
    for (auto [label, had, wanted] :
         {std::tuple{"endpoint", &have.endpoint, &want.endpoint},
          std::tuple{"status", &have.status, &want.status},
          std::tuple{"http_method", &have.http_method, &want.http_method},
          std::tuple{"request_format", &have.request_format, &want.request_format}}) {
        if (*had != *wanted) {
            out.push_back(std::string{label} + " " + (had->empty() ? "(none)" : *had) + " -> " +
                          *wanted);
        }
    }
    if (!same_set(have.subscriptions, want.subscriptions)) out.emplace_back("subscriptions");
    return out;
}

// Everything one run needs; lives on run_setup_zendesk's stack until io.run() returns.
struct Setup {
    zendesk::WebhooksApi& api;
    SetupZendeskOptions const& options;
    std::string zendesk_url;  // redacted, for messages
    std::ostream& out;
    std::ostream& err;

    int fail(std::string const& reason) const {
        err << "setup-zendesk: " << reason << '\n';
        return 1;
    }

    int fail(bot::ApiError const& error, std::string const& doing) const {
        using Kind = bot::ApiError::Kind;
        if (error.kind == Kind::rejected && error.message == "authentication failed") {
            return fail("Zendesk at " + zendesk_url + " refused the credentials (HTTP 401) to " +
                        doing + ": check ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN");
        }
        if (error.kind == Kind::unavailable || error.kind == Kind::rate_limited) {
            return fail("could not " + doing + " at " + zendesk_url + ": " + error.message);
        }
        return fail("Zendesk refused to " + doing + ": " + error.message);
    }

    void describe(std::string const& verb, Webhook const& webhook) const {
        out << verb << " webhook \"" << webhook.name << "\"";
        if (!webhook.id.empty()) out << " (id " << webhook.id << ")";
        out << " in " << zendesk_url << '\n';
        out << "  endpoint       " << webhook.endpoint << '\n';
        char const* label = "  subscriptions  ";
        for (auto const& s : webhook.subscriptions) {
            out << label << s << '\n';
            label = "                 ";
        }
    }

    asio::awaitable<int> run(Webhook wanted) {
        auto found = co_await api.find_by_name(wanted.name);
        if (!found) co_return fail(found.error(), "list webhooks");
        if (found->size() > 1) {
            std::string ids;
            for (auto const& w : *found) ids += (ids.empty() ? "" : ", ") + w.id;
            co_return fail(std::to_string(found->size()) + " webhooks are named \"" + wanted.name +
                           "\" (ids " + ids + "): delete the extra ones, or pass another --name");
        }
        std::string verb;
        if (found->empty()) {
            if (options.dry_run) {
                describe("would create", wanted);
                out << "dry run: nothing was changed in Zendesk\n";
                co_return 0;
            }
            auto created = co_await api.create(wanted);
            if (!created) co_return fail(created.error(), "create the webhook");
            wanted.id = created->id;
            verb = "created";
        } else {
            auto const& have = found->front();
            wanted.id = have.id;
            auto const changes = differences(have, wanted);
            if (!changes.empty() &&
                std::find(have.subscriptions.begin(), have.subscriptions.end(),
                          kTriggerSubscription) != have.subscriptions.end()) {
                co_return fail("webhook \"" + have.name + "\" (id " + have.id +
                               ") is connected to triggers, and Zendesk cannot switch it to "
                               "events: delete it, or pass another --name");
            }
            verb = changes.empty() ? "unchanged" : "updated";
            if (options.dry_run) {
                std::string what;
                for (auto const& c : changes) what += (what.empty() ? "" : "; ") + c;
                describe(changes.empty() ? "unchanged" : "would update", wanted);
                if (!what.empty()) out << "  changes        " << what << '\n';
                out << "dry run: nothing was changed in Zendesk\n";
                co_return 0;
            }
            if (!changes.empty()) {
                auto updated = co_await api.update(wanted);
                if (!updated) co_return fail(updated.error(), "update webhook " + wanted.id);
            }
        }
        auto secret = co_await api.signing_secret(wanted.id);
        if (!secret) {
            co_return fail(secret.error(), "read the signing secret of webhook " + wanted.id);
        }
        describe(verb, wanted);
        out << "\nSet this in ticketbridge's environment (Zendesk signs every delivery with it):\n"
            << "ZENDESK_WEBHOOK_SECRET=" << *secret << '\n';
        co_return 0;
    }
};

}  // namespace

int run_setup_zendesk(SetupZendeskOptions const& options, bot::Secrets const& secrets,
                      std::ostream& out, std::ostream& err) {
    std::string why;
    auto endpoint = endpoint_for(options.url, why);
    if (endpoint.empty()) {
        err << "setup-zendesk: " << why << '\n';
        return 2;
    }
    if (auto missing = missing_environment(secrets); !missing.empty()) {
        err << "setup-zendesk: " << missing << '\n';
        return 2;
    }
    Webhook wanted;
    wanted.name = options.name;
    wanted.endpoint = std::move(endpoint);
    wanted.subscriptions = zendesk::ticket_event_subscriptions();
    if (wanted.name.empty()) {
        err << "setup-zendesk: --name is empty\n";
        return 2;
    }

    asio::io_context io;
    http::HttpClient client{io.get_executor(), http::ClientSettings{}};
    zendesk::WebhooksApi api{client, secrets.zendesk_url,
                             zendesk::ZendeskAuth{secrets.zendesk_email, secrets.zendesk_api_token,
                                                  secrets.zendesk_oauth_token}};
    Setup setup{api, options, config::redact_url(secrets.zendesk_url), out, err};
    int code = 1;
    std::exception_ptr failed;
    asio::co_spawn(io, setup.run(std::move(wanted)), [&](std::exception_ptr e, int result) {
        failed = e;
        code = result;
    });
    io.run();
    if (failed) std::rethrow_exception(failed);
    return code;
}

}  // namespace tb::cli
