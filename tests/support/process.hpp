#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace tb::testing {

// A child process (the real service binary) with its output captured in a file.
class ChildProcess {
public:
    ChildProcess(std::string program, std::vector<std::string> args,
                 std::map<std::string, std::string> env, std::filesystem::path log_file);
    ~ChildProcess();
    ChildProcess(ChildProcess const&) = delete;
    ChildProcess& operator=(ChildProcess const&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig);
    // The exit code (or 128 + signal), or nullopt if it has not ended within `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    std::string output() const;

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_file_;
};

std::uint16_t free_port();
std::filesystem::path temp_dir(std::string const& prefix);

}  // namespace tb::testing
