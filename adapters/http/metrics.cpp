#include "adapters/http/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace tb::http {
namespace {

char const* type_name(Metrics::Type type) {
    switch (type) {
        case Metrics::Type::counter: return "counter";
        case Metrics::Type::gauge: return "gauge";
        case Metrics::Type::histogram: return "histogram";
    }
    return "untyped";
}

void append_escaped(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out.push_back(c);
    }
}

std::string escape(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    append_escaped(out, value);
    return out;
}

void append_labels(std::string& out, Labels labels) {
    if (labels.size() == 0) return;
    out += '{';
    bool first = true;
    for (auto const& [key, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += key;
        out += "=\"";
        append_escaped(out, value);
        out += '"';
    }
    out += '}';
}

// Updates run on every request: the series key is rendered into a reused buffer and looked up
// without a copy, so a known series costs no allocation.
std::string& series_key(Labels labels) {
    thread_local std::string key;
    key.clear();
    append_labels(key, labels);
    return key;
}

template <typename Map>
auto& series(Map& map, std::string const& key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(key, typename Map::mapped_type{}).first;
    return it->second;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    std::ostringstream out;
    out.precision(15);
    out << v;
    return out.str();
}

std::string with_label(std::string const& rendered, std::string_view key, std::string_view value) {
    std::string label = std::string{key} + "=\"" + escape(value) + "\"";
    if (rendered.empty()) return "{" + label + "}";
    return rendered.substr(0, rendered.size() - 1) + "," + label + "}";
}

}  // namespace

std::string render_labels(Labels labels) {
    std::string out;
    append_labels(out, labels);
    return out;
}

void Metrics::describe(std::string name, Type type, std::string help, std::vector<double> buckets) {
    std::lock_guard lock{mutex_};
    auto& f = families_[name];
    f.type = type;
    f.described = true;
    f.help = std::move(help);
    if (type == Type::histogram) {
        if (buckets.empty()) buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
        std::sort(buckets.begin(), buckets.end());
        f.buckets = std::move(buckets);
    }
}

Metrics::Family& Metrics::family(std::string_view name, Type fallback) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        it = families_.emplace(std::string{name}, Family{}).first;
        it->second.type = fallback;
    }
    return it->second;
}

void Metrics::inc(std::string_view name, Labels labels, double by) {
    auto const& key = series_key(labels);
    std::lock_guard lock{mutex_};
    series(family(name, Type::counter).values, key) += by;
}

void Metrics::set(std::string_view name, Labels labels, double value) {
    auto const& key = series_key(labels);
    std::lock_guard lock{mutex_};
    series(family(name, Type::gauge).values, key) = value;
}

void Metrics::observe(std::string_view name, Labels labels, double value) {
    auto const& key = series_key(labels);
    std::lock_guard lock{mutex_};
    auto& f = family(name, Type::histogram);
    auto& h = series(f.histograms, key);
    if (h.counts.size() != f.buckets.size()) h.counts.assign(f.buckets.size(), 0);
    auto const bucket = std::lower_bound(f.buckets.begin(), f.buckets.end(), value);
    if (bucket != f.buckets.end()) h.counts[static_cast<std::size_t>(bucket - f.buckets.begin())] += 1;
    h.sum += value;
    ++h.count;
}

void Metrics::gauge_callback(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock{mutex_};
    callbacks_.emplace_back(std::move(name), std::move(help), std::move(read));
}

double Metrics::value(std::string_view name, Labels labels) const {
    auto const& key = series_key(labels);
    std::lock_guard lock{mutex_};
    auto const it = families_.find(name);
    if (it == families_.end()) return 0;
    auto const v = it->second.values.find(key);
    return v == it->second.values.end() ? 0 : v->second;
}

std::string Metrics::render() const {
    std::vector<std::tuple<std::string, std::string, std::function<double()>>> callbacks;
    {
        std::lock_guard lock{mutex_};
        callbacks = callbacks_;
    }
    std::ostringstream out;
    // Callbacks may query the store; call them without holding the lock.
    for (auto const& [name, help, read] : callbacks) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
            << name << ' ' << number(read()) << '\n';
    }
    std::lock_guard lock{mutex_};
    for (auto const& [name, f] : families_) {
        if (f.values.empty() && f.histograms.empty() && !f.described) continue;
        if (!f.help.empty()) out << "# HELP " << name << ' ' << f.help << '\n';
        out << "# TYPE " << name << ' ' << (f.described ? type_name(f.type) : "untyped") << '\n';
        for (auto const& [labels, v] : f.values) out << name << labels << ' ' << number(v) << '\n';
        for (auto const& [labels, h] : f.histograms) {
            double cumulative = 0;
            for (std::size_t b = 0; b < f.buckets.size(); ++b) {
                cumulative += h.counts[b];
                out << name << "_bucket" << with_label(labels, "le", number(f.buckets[b])) << ' '
                    << number(cumulative) << '\n';
            }
            out << name << "_bucket" << with_label(labels, "le", "+Inf") << ' ' << h.count << '\n';
            out << name << "_sum" << labels << ' ' << number(h.sum) << '\n';
            out << name << "_count" << labels << ' ' << h.count << '\n';
        }
    }
    return out.str();
}

}  // namespace tb::http
