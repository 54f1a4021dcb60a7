#include "adapters/http/intake.hpp"

#include <spdlog/spdlog.h>

namespace tb::http {

void describe_intake_metrics(Metrics& metrics) {
    metrics.describe("tb_intake_total", Metrics::Type::counter,
                     "Inbound deliveries by source and outcome (new, duplicate, ignored).");
    metrics.describe("tb_verification_failures_total", Metrics::Type::counter,
                     "Requests refused by source and reason (forged, stale, missing, malformed).");
    metrics.describe("tb_store_failures_total", Metrics::Type::counter,
                     "Deliveries that could not be committed and were answered 503.");
}

std::string_view header(Request const& request, std::string_view name) {
    auto const it = request.find(name);
    if (it == request.end()) return {};
    return {it->value().data(), it->value().size()};
}

asio::awaitable<Response> record_then_answer(IntakeContext& context, Request const& request,
                                             bot::Delivery delivery, Response accepted) {
    auto const kind = delivery.source;
    bool const queues_job = !delivery.answered;
    auto const source = bot::to_string(kind);
    auto const recorded = co_await context.store.record(std::move(delivery));
    if (!recorded) {
        context.metrics.inc("tb_store_failures_total", {{"source", source}});
        spdlog::error("intake: {} delivery not recorded: {}", source, recorded.error().message());
        auto response = make_response(request, bhttp::status::service_unavailable, "try again\n");
        response.set(bhttp::field::retry_after, "1");
        co_return response;
    }
    context.metrics.inc("tb_intake_total", {{"source", source}, {"outcome", *recorded ? "new" : "duplicate"}});
    if (*recorded && queues_job && context.on_new_delivery) context.on_new_delivery(kind);
    co_return accepted;
}

Response refuse(IntakeContext& context, Request const& request, bhttp::status status,
                std::string_view source, std::string_view reason, std::string_view detail) {
    context.metrics.inc("tb_verification_failures_total",
                        {{"source", std::string{source}}, {"reason", std::string{reason}}});
    spdlog::warn("intake: refused {} {} ({}): {}: {}", std::string{request.method_string()},
                 std::string{request.target()}, static_cast<int>(status), reason, detail);
    return make_response(request, status, std::string{reason} + "\n");
}

}  // namespace tb::http
