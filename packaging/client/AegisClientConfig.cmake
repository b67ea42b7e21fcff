# find_package(AegisClient): the native client library's targets
# (aegis::client, aegis::client_io, aegis::media, and the layers under them)
# and the libraries they are built on.
include(CMakeFindDependencyMacro)
find_dependency(OpenSSL 3.0)
find_dependency(Boost 1.74)
find_dependency(nlohmann_json 3)
find_dependency(PkgConfig)
# The imported targets the layers link (the names the build gave them).
if(NOT TARGET PkgConfig::USRSCTP)
  pkg_check_modules(USRSCTP REQUIRED IMPORTED_TARGET usrsctp)
endif()
if(NOT TARGET PkgConfig::VPX)
  pkg_check_modules(VPX REQUIRED IMPORTED_TARGET vpx)
endif()
if(NOT TARGET PkgConfig::OPUS)
  pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/AegisClientTargets.cmake)
