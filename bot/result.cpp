#include "bot/result.hpp"

namespace tb::bot {
namespace {

// Boost's error_category has a protected, non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "tb.bot"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::store_unavailable: return "store unavailable";
            case errc::not_found: return "not found";
            case errc::invalid_input: return "invalid input";
            case errc::conflict: return "conflict";
            case errc::shutting_down: return "shutting down";
        }
        return "unknown tb.bot error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

boost::system::error_category const& bot_category() noexcept {
    static Category const category;
    return category;
}

}  // namespace tb::bot
