#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace tb::testing {

inline std::string read_file(std::string const& path) {
    std::ifstream in{path, std::ios::binary};
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline std::string spec_path(std::string const& relative) {
    return std::string{TB_SPECS_DIR} + "/" + relative;
}

inline nlohmann::json spec_json(std::string const& relative) {
    return nlohmann::json::parse(read_file(spec_path(relative)));
}

}  // namespace tb::testing
