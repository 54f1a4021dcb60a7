#include "bot/commands/group_match.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <utility>

namespace tb::bot {
namespace {

std::string lower(std::string_view text) {
    std::string out{text};
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string trimmed(std::string_view text) {
    auto const first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto const last = text.find_last_not_of(" \t\r\n");
    return std::string{text.substr(first, last - first + 1)};
}

// Levenshtein distance, for "did you mean".
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        auto diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            auto const above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::variant<DeskGroup, NoGroupMatch> match_group(std::string_view typed, std::vector<DeskGroup> const& groups) {
    constexpr std::size_t kOffered = 5;
    auto const wanted = lower(trimmed(typed));
    std::vector<DeskGroup const*> containing;
    for (auto const& g : groups) {
        auto const name = lower(g.name);
        if (name == wanted) return g;
        if (!wanted.empty() && name.find(wanted) != std::string::npos) containing.push_back(&g);
    }
    if (containing.size() == 1) return *containing.front();
    NoGroupMatch none;
    none.ambiguous = containing.size() > 1;
    if (none.ambiguous) {
        for (auto const* g : containing) {
            if (none.close.size() < kOffered) none.close.push_back(g->name);
        }
        return none;
    }
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (auto const& g : groups) {
        auto const name = lower(g.name);
        // Compare with the name's best-aligned part as well, so "privcy" finds "3rd Line--GDS Privacy".
        auto best = distance(wanted, name);
        if (name.size() > wanted.size()) {
            for (std::size_t at = 0; at + wanted.size() <= name.size(); ++at) {
                best = std::min(best, distance(wanted, std::string_view{name}.substr(at, wanted.size())));
            }
        }
        if (best <= std::max<std::size_t>(2, wanted.size() / 3)) ranked.emplace_back(best, g.name);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
    for (auto& [d, name] : ranked) {
        if (none.close.size() < kOffered) none.close.push_back(std::move(name));
    }
    return none;
}

}  // namespace tb::bot
