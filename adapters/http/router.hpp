#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/metrics.hpp"
#include "adapters/http/types.hpp"

namespace tb::http {

// Exact-path routing with 404 for unknown paths and 405 (with Allow) for known paths asked
// with another method; counts every answer by route and status.
class Router {
public:
    explicit Router(Metrics& metrics);

    void add(bhttp::verb method, std::string path, Handler handler);
    asio::awaitable<Response> route(Request request);
    Handler as_handler();

private:
    struct Route {
        bhttp::verb method;
        Handler handler;
    };
    std::map<std::string, std::vector<Route>, std::less<>> routes_;
    Metrics& metrics_;
};

}  // namespace tb::http
