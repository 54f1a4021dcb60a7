#pragma once

#include <functional>

#include <boost/system/error_code.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tb::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Handler = std::function<asio::awaitable<Response>(Request)>;
using error_code = boost::system::error_code;

inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// A complete response; `request` decides the HTTP version and keep-alive.
Response make_response(Request const& request, bhttp::status status, std::string body = {},
                       std::string content_type = "text/plain; charset=utf-8");
Response make_json_response(Request const& request, bhttp::status status, std::string json);

}  // namespace tb::http
