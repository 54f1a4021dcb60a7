#include "adapters/http/router.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

namespace tb::http {

Router::Router(Metrics& metrics) : metrics_{metrics} {
    metrics_.describe("tb_http_requests_total", Metrics::Type::counter,
                      "HTTP requests answered, by route and status.");
    metrics_.describe("tb_http_request_seconds", Metrics::Type::histogram,
                      "Time from a request's arrival to its answer, by route.");
}

void Router::add(bhttp::verb method, std::string path, Handler handler) {
    routes_[std::move(path)].push_back(Route{method, std::move(handler)});
}

Handler Router::as_handler() {
    return [this](Request request) { return route(std::move(request)); };
}

asio::awaitable<Response> Router::route(Request request) {
    auto const start = std::chrono::steady_clock::now();
    std::string_view target{request.target().data(), request.target().size()};
    auto const path = target.substr(0, target.find('?'));
    auto const found = routes_.find(path);

    Response response;
    std::string_view route_label = "unknown";
    if (found == routes_.end()) {
        spdlog::info("http: {} {} -> 404", std::string{request.method_string()}, std::string{path});
        response = make_response(request, bhttp::status::not_found, "not found\n");
    } else {
        route_label = found->first;
        Handler const* handler = nullptr;
        for (auto const& r : found->second) {
            if (r.method == request.method()) handler = &r.handler;
        }
        if (handler == nullptr) {
            std::string allow;
            for (auto const& r : found->second) {
                if (!allow.empty()) allow += ", ";
                allow += std::string{bhttp::to_string(r.method)};
            }
            spdlog::info("http: {} {} -> 405", std::string{request.method_string()}, route_label);
            response = make_response(request, bhttp::status::method_not_allowed, "method not allowed\n");
            response.set(bhttp::field::allow, allow);
        } else {
            response = co_await (*handler)(std::move(request));
        }
    }
    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.inc("tb_http_requests_total",
                 {{"route", route_label}, {"status", std::to_string(response.result_int())}});
    metrics_.observe("tb_http_request_seconds", {{"route", route_label}}, seconds);
    co_return response;
}

}  // namespace tb::http
