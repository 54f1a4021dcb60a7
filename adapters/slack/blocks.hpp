#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bot/ports/chat.hpp"
#include "bot/tickets/markup.hpp"

namespace tb::slack {

// Ids the interactivity handlers match on; changing one breaks cards already posted.
inline constexpr char const* kTicketActionsBlock = "ticket_actions";
inline constexpr char const* kActionTake = "ticket_take";
inline constexpr char const* kActionPriority = "ticket_priority";
inline constexpr char const* kActionGroup = "ticket_group";
inline constexpr char const* kActionPending = "ticket_pending";
inline constexpr char const* kActionSolve = "ticket_solve";

inline constexpr char const* kActionSolvePending = "sla_solve_pending";  // on the pending digest

inline constexpr char const* kTicketFormCallback = "create_ticket";
inline constexpr char const* kSubjectBlock = "subject";  // action_id is the same
inline constexpr char const* kPriorityBlock = "priority";
inline constexpr char const* kGroupBlock = "group";

inline constexpr char const* kSolveFormCallback = "solve_ticket";
inline constexpr char const* kNoteBlock = "note";  // action_id is the same

// Block Kit limits (characters, not bytes) from Slack's reference.
inline constexpr std::size_t kMaxOptionText = 75;
inline constexpr std::size_t kMaxOptionValue = 150;
inline constexpr std::size_t kMaxOptions = 100;
inline constexpr std::size_t kMaxSubjectChars = 150;
inline constexpr std::size_t kMaxSectionText = 3000;
inline constexpr std::size_t kMaxHeaderText = 150;
inline constexpr std::size_t kMaxBlocks = 50;           // per message
inline constexpr std::size_t kMaxMessageText = 40'000;  // chat.* answer msg_too_long beyond

// Escapes &, < and > as Slack's mrkdwn and text fields require.
inline std::string escape_mrkdwn(std::string_view text) { return bot::escape_slack_text(text); }
// At most `max_chars` UTF-8 characters; a cut text ends with "…" (counted in max_chars).
std::string clip(std::string_view text, std::size_t max_chars);

// The ticket card: summary section, fields, optional follow-up note and the actions: Take,
// Pending and Solve buttons whose value is the ticket id, Priority and Group selects whose
// option values are "<ticket id>:<choice>" (no group select when card.groups is empty).
nlohmann::json card_blocks(bot::TicketCard const& card);
// The card's notification and fallback text: "Ticket #123: subject (status)".
std::string card_text(bot::TicketCard const& card);

// The "Create ticket" modal for views.open.
nlohmann::json ticket_form_view(bot::TicketDraft const& draft);
// The "Solve ticket" modal for views.open: an optional note; private_metadata carries
// {"ticket":123,"channel":"C…","card_ts":"…"}.
nlohmann::json solve_form_view(bot::SolveDraft const& draft);

// A `/ticket list` answer as Block Kit: title, one section per ticket, "and N more"; at most
// kMaxBlocks blocks, the tickets that do not fit counted in "more".
nlohmann::json listing_blocks(bot::TicketListing const& listing, std::string_view preface = {});

// The daily pending digest: title, one section per ticket with a "Solve with note" button (value:
// the ticket id, confirming with the note) or what was done instead, "and N more".
nlohmann::json pending_digest_blocks(bot::PendingDigest const& digest);
std::string pending_digest_text(bot::PendingDigest const& digest);

}  // namespace tb::slack
