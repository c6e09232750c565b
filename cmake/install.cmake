include(CMakePackageConfigHelpers)

set(MEMCACHE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/memcache)

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
  DESTINATION ${MEMCACHE_CMAKE_DIR})

# A static library's dependencies must reach the consumer's link line.
if(BUILD_SHARED_LIBS)
  set(MEMCACHE_PC_REQUIRES_FIELD "Requires.private")
else()
  set(MEMCACHE_PC_REQUIRES_FIELD "Requires")
endif()
# prefix relative to the .pc file, so the install tree can move.
file(RELATIVE_PATH MEMCACHE_PC_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
configure_file(cmake/memcache.pc.in ${PROJECT_BINARY_DIR}/memcache.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/memcache.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
