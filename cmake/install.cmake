include(CMakePackageConfigHelpers)

set(MEMCACHE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/memcache)

# Without a package manager's asio::asio, the exported memcache::asio carries
# the directory of the Asio headers the library was built with.
if(NOT MEMCACHE_ASIO_PACKAGE)
  install(TARGETS memcache_asio EXPORT memcache-targets)
endif()
install(TARGETS memcache EXPORT memcache-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/memcache DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/memcache/export.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/memcache)

install(EXPORT memcache-targets
  NAMESPACE memcache::
  DESTINATION ${MEMCACHE_CMAKE_DIR})

configure_package_config_file(cmake/memcache-config.cmake.in
  ${PROJECT_BINARY_DIR}/memcache-config.cmake
  INSTALL_DESTINATION ${MEMCACHE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/memcache-config-version.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/memcache-config.cmake
  ${PROJECT_BINARY_DIR}/memcache-config-version.cmake
  cmake/Findlibdeflate.cmake
  DESTINATION ${MEMCACHE_CMAKE_DIR})

# A static library's dependencies must reach the consumer's link line.
if(BUILD_SHARED_LIBS)
  set(MEMCACHE_PC_REQUIRES_FIELD "Requires.private")
else()
  set(MEMCACHE_PC_REQUIRES_FIELD "Requires")
endif()
# prefix relative to the .pc file, so the install tree can move.
file(RELATIVE_PATH MEMCACHE_PC_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
# Asio's headers and the library's definitions reach pkg-config consumers too;
# a directory the compiler searches anyway, or the install's own include
# directory (vcpkg, Conan), needs no -I.
set(MEMCACHE_PC_CFLAGS "")
if(MEMCACHE_ASIO_INCLUDE_DIR AND NOT MEMCACHE_ASIO_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES
   AND NOT MEMCACHE_ASIO_INCLUDE_DIR STREQUAL "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
  string(APPEND MEMCACHE_PC_CFLAGS " -I${MEMCACHE_ASIO_INCLUDE_DIR}")
endif()
foreach(_definition IN LISTS MEMCACHE_ASIO_DEFINITIONS)
  string(APPEND MEMCACHE_PC_CFLAGS " -D${_definition}")
endforeach()
configure_file(cmake/memcache.pc.in ${PROJECT_BINARY_DIR}/memcache.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/memcache.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
