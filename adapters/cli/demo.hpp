#pragma once

#include <chrono>
#include <filesystem>
#include <optional>

namespace tb::cli {

struct DemoOptions {
    std::optional<std::filesystem::path> db;  // unset: a fresh temp dir, removed at the end
    bool keep_running = false;                // serve after the narration until Ctrl-C
    std::chrono::seconds step_timeout{20};
};

// `ticketbridge demo`: the real service against a fake Slack workspace and a fake Zendesk
// account started in this process on 127.0.0.1. Plays a reaction on a partner's message and a
// thread reply, and narrates on stdout what happened on both sides. Returns 0 when every step
// happened; otherwise says on stderr which step did not and returns non-zero.
int run_demo(DemoOptions options);

}  // namespace tb::cli
