# memcache_enable_coroutines(<target>): builds <target> as C++20 with Asio's
# co_await support. Asio 1.22 (Debian 12) only detects co_await on clang
# through the Coroutines TS (-fcoroutines-ts); clang 14 has standard
# coroutines with libstdc++'s <coroutine>, so tell Asio.
function(memcache_enable_coroutines target)
  target_compile_features(${target} PRIVATE cxx_std_20)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_definitions(${target} PRIVATE ASIO_HAS_CO_AWAIT=1)
  endif()
endfunction()
