// Search API of FakeZendesk (GET /api/v2/search): ticket queries only, as ticketbridge sends them.
//
// Supported terms: type:ticket; status:X, status<X, status<=X, status>X, status>=X (Zendesk orders
// new < open < pending < hold < solved < closed); priority:low|normal|high|urgent;
// assignee:<id>|none; group:<id>|none. Anything else is recorded as a violation, so a test
// notices a query the fake would answer wrongly.

#include <algorithm>
#include <array>
#include <sstream>

#include <boost/url.hpp>

#include "tests/fakes/fake_zendesk_state.hpp"

namespace tb::fakes {

using namespace zendesk_detail;

namespace {

constexpr std::size_t kMaxPerPage = 100;
constexpr std::size_t kMaxResults = 1000;  // Zendesk returns at most 1,000 results a query
constexpr std::array<std::string_view, 6> kStatusOrder{"new",  "open",   "pending",
                                                       "hold", "solved", "closed"};

int status_rank(std::string_view status) {
    auto const it = std::find(kStatusOrder.begin(), kStatusOrder.end(), status);
    return it == kStatusOrder.end() ? -1 : static_cast<int>(it - kStatusOrder.begin());
}

struct TicketFilter {
    bool typed = false;                                   // type:ticket seen
    std::vector<std::pair<std::string, int>> status;      // operator, rank
    std::optional<std::optional<std::int64_t>> assignee;  // set: filter; inner nullopt: none
    std::optional<std::optional<std::int64_t>> group;
    std::optional<std::string> priority;
    std::vector<std::string> unsupported;

    bool matches(ZendeskTicket const& t) const {
        auto const rank = status_rank(t.status);
        for (auto const& [op, wanted] : status) {
            bool const ok = op == ":"    ? rank == wanted
                            : op == "<"  ? rank < wanted
                            : op == "<=" ? rank <= wanted
                            : op == ">"  ? rank > wanted
                                         : rank >= wanted;
            if (!ok) return false;
        }
        if (assignee && t.assignee_id != *assignee) return false;
        if (group && t.group_id != *group) return false;
        if (priority && t.priority != *priority) return false;
        return true;
    }
};

// "<id>" or "none"; nullopt (outer) when neither.
std::optional<std::optional<std::int64_t>> id_or_none(std::string const& value) {
    if (value == "none") return std::optional<std::optional<std::int64_t>>{std::in_place};
    if (auto const id = parse_id(value)) {
        return std::optional<std::optional<std::int64_t>>{std::in_place, *id};
    }
    return std::nullopt;
}

TicketFilter parse_query(std::string const& query) {
    TicketFilter out;
    std::istringstream words{query};
    for (std::string word; words >> word;) {
        if (word == "type:ticket") {
            out.typed = true;
            continue;
        }
        if (word.starts_with("status")) {
            auto const rest = word.substr(6);
            auto const op_size = rest.starts_with("<=") || rest.starts_with(">=") ? 2U : 1U;
            auto const op = rest.substr(0, op_size);
            auto const rank = status_rank(rest.size() > op_size ? rest.substr(op_size) : "");
            if ((op == ":" || op == "<" || op == ">" || op == "<=" || op == ">=") && rank >= 0) {
                out.status.emplace_back(op, rank);
                continue;
            }
        }
        if (word == "priority:low" || word == "priority:normal" || word == "priority:high" ||
            word == "priority:urgent") {
            out.priority = word.substr(9);
            continue;
        }
        auto const colon = word.find(':');
        auto const key = word.substr(0, colon);
        auto const value =
            colon == std::string::npos ? std::nullopt : id_or_none(word.substr(colon + 1));
        if (key == "assignee" && value) {
            out.assignee = *value;
        } else if (key == "group" && value) {
            out.group = *value;
        } else {
            out.unsupported.push_back(word);
        }
    }
    return out;
}

std::size_t positive_param(Route const& route, char const* name, std::size_t fallback) {
    auto const it = route.query.find(name);
    if (it == route.query.end()) return fallback;
    auto const n = parse_id(it->second);
    return n && *n > 0 ? static_cast<std::size_t>(*n) : fallback;
}

}  // namespace

Response FakeZendesk::State::search(Route const& route) {
    auto const query = route.query.count("query") ? route.query.at("query") : "";
    auto const filter = parse_query(query);
    if (!filter.typed || !filter.unsupported.empty()) {
        violations.push_back("GET /api/v2/search: the fake supports only ticket queries, got '" +
                             query + "'");
    }
    auto const sort_by = route.query.count("sort_by") ? route.query.at("sort_by") : "";
    auto const sort_order = route.query.count("sort_order") ? route.query.at("sort_order") : "desc";
    if (!sort_by.empty() && sort_by != "created_at" && sort_by != "updated_at") {
        violations.push_back("GET /api/v2/search: the fake cannot sort by '" + sort_by + "'");
    }
    if (sort_order != "asc" && sort_order != "desc") {
        violations.push_back("GET /api/v2/search: sort_order must be asc or desc, got '" +
                             sort_order + "'");
    }

    std::vector<ZendeskTicket const*> found;
    if (filter.typed) {
        for (auto const& [id, t] : tickets) {
            if (filter.matches(t)) found.push_back(&t);
        }
    }
    // Without sort_by Zendesk orders by relevance; the fake keeps id order then.
    if (!sort_by.empty()) {
        auto const key = [&](ZendeskTicket const* t) {
            return std::pair{sort_by == "updated_at" ? t->updated_at : t->created_at, t->id};
        };
        std::stable_sort(found.begin(), found.end(), [&](auto const* a, auto const* b) {
            return sort_order == "asc" ? key(a) < key(b) : key(b) < key(a);
        });
    }

    auto const per_page = std::min(positive_param(route, "per_page", kMaxPerPage), kMaxPerPage);
    auto const page = positive_param(route, "page", 1);
    if ((page - 1) * per_page >= kMaxResults) {
        return reply(http::status::unprocessable_entity,
                     error("InsufficientResourceError",
                           "Search results are limited to 1,000 results per query"));
    }
    auto const reachable = std::min(found.size(), kMaxResults);
    auto const start = std::min(reachable, (page - 1) * per_page);
    auto const end = std::min(reachable, start + per_page);
    json results = json::array();
    for (auto i = start; i < end; ++i) {
        auto item = to_json(*found[i]);
        item["result_type"] = "ticket";
        results.push_back(std::move(item));
    }
    auto const link = [&](std::size_t to) -> json {
        boost::urls::url url{base_url + "/api/v2/search.json"};
        url.params().append({"query", query});
        if (!sort_by.empty()) url.params().append({"sort_by", sort_by});
        url.params().append({"sort_order", sort_order});
        url.params().append({"per_page", std::to_string(per_page)});
        url.params().append({"page", std::to_string(to)});
        return std::string{url.buffer()};
    };
    return reply(http::status::ok, {{"results", results},
                                    {"facets", nullptr},
                                    {"next_page", end < reachable ? link(page + 1) : json(nullptr)},
                                    {"previous_page", page > 1 ? link(page - 1) : json(nullptr)},
                                    {"count", found.size()}});
}

}  // namespace tb::fakes
