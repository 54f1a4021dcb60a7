// FakeSlack's owning mode, apart so that only users of start() link the HTTP server.

#include "tests/fakes/fake_slack.hpp"

namespace tb::fakes {

void FakeSlack::start() {
    if (server_) return;
    server_ = std::make_shared<FakeHttpServer>(handler());
    set_base_url(server_->base_url());
}

}  // namespace tb::fakes
