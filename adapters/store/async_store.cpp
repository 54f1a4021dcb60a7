#include "adapters/store/async_store.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "adapters/http/types.hpp"
#include "adapters/store/run_blocking.hpp"

namespace tb::store {
namespace {

using http::use_nothrow;

// Moves up to `n` waiters from the front of `queue` to `out`, keeping arrival order. Waiters
// are only ever move-constructed, never move-assigned: Boost 1.81's any_completion_handler
// move assignment wraps the handler in itself (it copies `other` as an lvalue) and recurses.
template <class W>
void take_front(std::vector<W>& queue, std::vector<W>& out, std::size_t n) {
    if (queue.size() <= n) {
        out.swap(queue);
        return;
    }
    std::vector<W> rest;
    rest.reserve(queue.size() - n);
    out.reserve(n);
    for (std::size_t i = 0; i < queue.size(); ++i) {
        (i < n ? out : rest).push_back(std::move(queue[i]));
    }
    queue.swap(rest);
}

template <class W>
void resume(W& w, error_code ec) {
    std::apply([&](auto&... v) { std::move(w.handler)(ec, std::move(v)...); }, w.result);
}

// Resumes every waiter with its result, one post per run of waiters sharing an executor: when
// one thread serves all connections that is one queued call per batch, not one per request,
// which spares the network thread's queue lock and allocator a cross-thread handoff each.
// `keep` is released with the last run, on its executor: with one network thread, memory the
// callers allocated is freed on the thread that allocated it.
template <class W, class... Keep>
void resume_all(std::vector<W> waiters, error_code ec, Keep... keep) {
    std::size_t begin = 0;
    while (begin < waiters.size()) {
        std::size_t end = begin + 1;
        while (end < waiters.size() && waiters[end].executor == waiters[begin].executor) ++end;
        bool const last = end == waiters.size();
        std::vector<W> run;
        if (begin == 0 && last) {
            run.swap(waiters);
        } else {
            run.reserve(end - begin);
            for (std::size_t i = begin; i < end; ++i) run.push_back(std::move(waiters[i]));
        }
        auto executor = run.front().executor;
        auto resume_run = [run = std::move(run), ec]() mutable {
            for (auto& w : run) resume(w, ec);
        };
        if (last) {
            asio::post(executor, [r = std::move(resume_run), ... k = std::move(keep)]() mutable { r(); });
            return;
        }
        asio::post(executor, std::move(resume_run));
        begin = end;
    }
}

}  // namespace

struct AsyncStore::Batch {
    std::vector<RecordWaiter> records;
    std::vector<OutcomeWaiter> outcomes;
    std::vector<ClaimWaiter> claims;
};

AsyncStore::AsyncStore(std::unique_ptr<BlockingStore> backend, bot::Clock const& clock,
                       AsyncStoreLimits limits)
    : backend_{std::move(backend)}, clock_{clock}, limits_{limits} {}

AsyncStore::~AsyncStore() { shutdown(); }

void AsyncStore::shutdown() {
    pool_.join();  // runs every queued flush and call to its end
}

std::size_t AsyncStore::commits() const {
    std::lock_guard lock{mutex_};
    return commits_;
}

template <class Item, class... Values>
auto AsyncStore::submit(std::vector<Waiter<Item, Values...>>& queue, Item item) {
    auto initiation = [this, &queue](auto handler, Item it) {
        auto executor = asio::prefer(asio::get_associated_executor(handler, pool_.get_executor()),
                                     asio::execution::outstanding_work.tracked);
        bool start = false;
        {
            std::lock_guard lock{mutex_};
            queue.push_back({std::move(it), std::move(executor), std::move(handler)});
            start = !std::exchange(flushing_, true);
        }
        if (start) asio::post(pool_, [this] { flush(); });
    };
    return asio::async_initiate<decltype(use_nothrow), void(error_code, Values...)>(
        std::move(initiation), use_nothrow, std::move(item));
}

asio::awaitable<Result<bool>> AsyncStore::record(bot::Delivery delivery) {
    auto [ec, fresh] = co_await submit(records_, std::move(delivery));
    if (ec) co_return Result<bool>{boost::system::in_place_error, ec};
    co_return Result<bool>{boost::system::in_place_value, fresh};
}

asio::awaitable<Result<std::vector<bot::Job>>> AsyncStore::claim(std::size_t limit, bot::Instant now,
                                                                 std::chrono::seconds lease) {
    ClaimRequest request{std::min(limit, limits_.max_claimed), now, lease, false};
    co_return co_await claim_jobs(std::move(request));
}

asio::awaitable<Result<std::vector<bot::Job>>> AsyncStore::claim_interactive(std::size_t limit, bot::Instant now,
                                                                             std::chrono::seconds lease) {
    ClaimRequest request{std::min(limit, limits_.max_claimed), now, lease, true};
    co_return co_await claim_jobs(std::move(request));
}

asio::awaitable<Result<std::vector<bot::Job>>> AsyncStore::claim_jobs(ClaimRequest request) {
    auto [ec, jobs] = co_await submit(claims_, std::move(request));
    if (ec) co_return Result<std::vector<bot::Job>>{boost::system::in_place_error, ec};
    co_return Result<std::vector<bot::Job>>{boost::system::in_place_value, std::move(jobs)};
}

asio::awaitable<Result<void>> AsyncStore::settle(Outcome outcome) {
    auto [ec] = co_await submit(outcomes_, std::move(outcome));
    if (ec) co_return Result<void>{boost::system::in_place_error, ec};
    co_return Result<void>{};
}

asio::awaitable<Result<void>> AsyncStore::complete(bot::JobId id) {
    Outcome outcome{id, Outcome::Kind::done, {}, {}};
    co_return co_await settle(std::move(outcome));
}

asio::awaitable<Result<void>> AsyncStore::retry(bot::JobId id, bot::Instant due, std::string reason) {
    Outcome outcome{id, Outcome::Kind::retry, due, std::move(reason)};
    co_return co_await settle(std::move(outcome));
}

asio::awaitable<Result<void>> AsyncStore::extend(bot::JobId id, bot::Instant until) {
    Outcome outcome{id, Outcome::Kind::extend, until, {}};
    co_return co_await settle(std::move(outcome));
}

asio::awaitable<Result<void>> AsyncStore::bury(bot::JobId id, std::string reason) {
    Outcome outcome{id, Outcome::Kind::dead, {}, std::move(reason)};
    co_return co_await settle(std::move(outcome));
}

void AsyncStore::take(Batch& batch) {
    take_front(records_, batch.records, limits_.max_records);
    take_front(outcomes_, batch.outcomes, limits_.max_outcomes);
    // Claims in arrival order while their limits fit (the first always does: it was cut).
    std::size_t claims = 0;
    std::size_t leased = 0;
    while (claims < claims_.size() &&
           (claims == 0 || leased + claims_[claims].item.limit <= limits_.max_claimed)) {
        leased += claims_[claims].item.limit;
        ++claims;
    }
    take_front(claims_, batch.claims, claims);
}

void AsyncStore::flush() {
    Batch batch;
    {
        std::lock_guard lock{mutex_};
        take(batch);
    }
    std::vector<bot::Delivery> deliveries;
    deliveries.reserve(batch.records.size());
    for (auto& w : batch.records) deliveries.push_back(std::move(w.item));
    std::vector<Outcome> outcomes;
    outcomes.reserve(batch.outcomes.size());
    for (auto& w : batch.outcomes) outcomes.push_back(std::move(w.item));
    std::vector<ClaimRequest> claims;
    claims.reserve(batch.claims.size());
    for (auto const& w : batch.claims) claims.push_back(w.item);

    WriteBatch const write{deliveries, outcomes, claims, clock_.now()};
    auto written = backend_->write(write);
    error_code const ec = written ? error_code{} : written.error();
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
        batch.records[i].result = {written && written->fresh[i]};
    }
    for (std::size_t i = 0; i < batch.claims.size() && written; ++i) {
        batch.claims[i].result = {std::move(written->claimed[i])};
    }
    {
        std::lock_guard lock{mutex_};
        ++commits_;  // counted before anyone resumes, so a caller sees its own commit
    }
    resume_all(std::move(batch.records), ec, std::move(deliveries));
    resume_all(std::move(batch.outcomes), ec, std::move(outcomes));
    resume_all(std::move(batch.claims), ec);
    // One batch per turn, so stats() and ping() queued meanwhile get the thread too.
    std::lock_guard lock{mutex_};
    if (records_.empty() && outcomes_.empty() && claims_.empty()) {
        flushing_ = false;
    } else {
        asio::post(pool_, [this] { flush(); });
    }
}

asio::awaitable<Result<bot::StoreStats>> AsyncStore::stats() {
    auto call = [this] { return backend_->stats(); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

asio::awaitable<Result<void>> AsyncStore::ping() {
    auto call = [this] { return backend_->ping(); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

}  // namespace tb::store
