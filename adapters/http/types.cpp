#include "adapters/http/types.hpp"

namespace tb::http {

Response make_response(Request const& request, bhttp::status status, std::string body,
                       std::string content_type) {
    Response response{status, request.version()};
    response.set(bhttp::field::server, "ticketbridge");
    if (!body.empty()) response.set(bhttp::field::content_type, std::move(content_type));
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response make_json_response(Request const& request, bhttp::status status, std::string json) {
    return make_response(request, status, std::move(json), "application/json");
}

}  // namespace tb::http
