#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/fake_http_server.hpp"

namespace tb::fakes {

// Checks requests against the published API descriptions in TB_SPECS_DIR (strictly) and
// responses against them (leniently: only that the status is declared and JSON parses).
class SpecChecker {
public:
    // Loaded once per process and cached; thread-safe.
    static SpecChecker const& slack();    // Slack Web API (Swagger 2.0, 2020) + allow-list
    static SpecChecker const& zendesk();  // Zendesk Support subset + overlay, webhooks API

    ~SpecChecker();
    SpecChecker(SpecChecker const&) = delete;
    SpecChecker& operator=(SpecChecker const&) = delete;

    // Human-readable violations, empty when the request is fine. `path_prefix` is stripped from
    // the request path before matching (Slack: "/api"; Zendesk spec paths already hold /api/v2).
    std::vector<std::string> check(Request const& req, std::string_view path_prefix = {}) const;

    // Lenient: the status is declared for the operation (or is a generic 401/403/404/429/5xx),
    // and a JSON content type comes with a body that parses.
    std::vector<std::string> check_response(Request const& req, Response const& res,
                                            std::string_view path_prefix = {}) const;

    struct Impl;

private:
    explicit SpecChecker(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tb::fakes
