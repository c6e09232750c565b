# An overlay port: `vcpkg install memcache --overlay-ports=<repo>/ports`.
# It builds the sources of the checkout it sits in; a registry port would use
# vcpkg_from_github with a release tag and SHA512 instead.
# tests/package/check_recipes.py builds and installs with exactly these
# options (vcpkg itself is not installed there) and builds an AsyncClient
# consumer against the result.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

# The library only: no tests, examples, fuzzers, or benchmarks (which would
# link libmemcached whenever it is installed).
vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DMEMCACHE_BUILD_TESTS=OFF
        -DMEMCACHE_BUILD_EXAMPLES=OFF
        -DMEMCACHE_BUILD_BENCH=OFF
        -DMEMCACHE_BUILD_FUZZERS=OFF
        -DMEMCACHE_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/memcache)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
