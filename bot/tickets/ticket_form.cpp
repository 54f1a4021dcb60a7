#include <algorithm>

#include "bot/tickets/markup.hpp"
#include "bot/tickets/requests.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {

std::vector<FormProblem> validate(TicketForm const& form, std::vector<std::string> const& groups) {
    std::vector<FormProblem> problems;
    auto const subject = subject_line(form.subject, 1000);
    if (subject.empty()) {
        problems.push_back({"subject", "Give the ticket a subject."});
    } else if (subject.size() < 4) {
        problems.push_back({"subject", "Say a little more: at least 4 characters."});
    } else if (form.subject.size() > 150) {
        problems.push_back({"subject", "Keep the subject under 150 characters."});
    }
    if (!parse_priority(form.priority)) {
        problems.push_back({"priority", "Choose low, normal, high or urgent."});
    }
    if (!form.group.empty() && !groups.empty() && std::find(groups.begin(), groups.end(), form.group) == groups.end()) {
        problems.push_back({"group", "No Zendesk group is called \"" + form.group + "\"."});
    }
    return problems;
}

}  // namespace tb::bot
