#pragma once

#include <atomic>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb::http {

// Views are enough: a series copies its labels once, when it is first used. Pass them in the
// call; a Labels variable would hold views of temporaries that are gone.
using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Counters, gauges and histograms rendered in the Prometheus text exposition format.
// Series are created on first use; updates are thread-safe.
class Metrics {
public:
    enum class Type { counter, gauge, histogram };

    // Declares a family; families used without a declaration render as "untyped".
    void describe(std::string name, Type type, std::string help,
                  std::vector<double> buckets = {});

    void inc(std::string_view name, Labels labels = {}, double by = 1.0);
    void set(std::string_view name, Labels labels, double value);
    void observe(std::string_view name, Labels labels, double value);
    // A gauge read when the metrics are rendered (e.g. inbox depth from the store).
    void gauge_callback(std::string name, std::string help, std::function<double()> read);

    double value(std::string_view name, Labels labels = {}) const;  // counters, gauges
    std::string render() const;

private:
    struct Histogram {
        std::vector<double> counts;  // one per bucket, cumulative at render time
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct Family {
        Type type = Type::counter;
        bool described = false;
        std::string help;
        std::vector<double> buckets;
        std::map<std::string, double, std::less<>> values;         // rendered label set -> value
        std::map<std::string, Histogram, std::less<>> histograms;  // rendered label set -> histogram
    };
    Family& family(std::string_view name, Type fallback);

    mutable std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
    std::vector<std::tuple<std::string, std::string, std::function<double()>>> callbacks_;
};

std::string render_labels(Labels labels);

}  // namespace tb::http
