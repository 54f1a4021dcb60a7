#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "adapters/http/metrics.hpp"
#include "adapters/http/types.hpp"
#include "bot/clock.hpp"
#include "bot/ports/store.hpp"

namespace tb::http {

// What every intake endpoint needs to turn a verified request into a durable delivery.
struct IntakeContext {
    bot::Store& store;
    Metrics& metrics;
    bot::Clock const& clock;
    std::function<void(bot::Source)> on_new_delivery;  // wakes the job runner
};

void describe_intake_metrics(Metrics& metrics);

// Records the delivery, then answers `accepted` (new or a redelivery: both are safe to ack),
// or 503 when the store could not commit it, so the sender retries.
asio::awaitable<Response> record_then_answer(IntakeContext& context, Request const& request,
                                             bot::Delivery delivery, Response accepted);

// A refused request: logged with the reason (never the secret or the body) and counted.
Response refuse(IntakeContext& context, Request const& request, bhttp::status status,
                std::string_view source, std::string_view reason, std::string_view detail);

std::string_view header(Request const& request, std::string_view name);

}  // namespace tb::http
