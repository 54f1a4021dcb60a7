#pragma once

#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tb::store {

// Runs blocking `fn` on `pool` and resumes the caller on its own executor with the result,
// so network threads never wait for the disk.
template <class Fn>
auto run_blocking(boost::asio::any_io_executor pool, Fn fn)
    -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
    using T = std::invoke_result_t<Fn&>;
    auto task = [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); };
    co_return co_await boost::asio::co_spawn(pool, std::move(task), boost::asio::use_awaitable);
}

}  // namespace tb::store
