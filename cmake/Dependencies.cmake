# Every third-party library comes from a Debian package (tests/install-deps.sh).
# Imported targets are SYSTEM includes, so their warnings do not trip -Werror.
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
# Notification mail and webhooks (node/notify): libcurl4-openssl-dev.
find_package(CURL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
# CBOR from authenticators (passkeys, node/auth/cbor_value.cpp): Debian libcbor-dev.
pkg_check_modules(CBOR REQUIRED IMPORTED_TARGET libcbor)
# Debian's 1.81 brings Boost.JSON and a Beast new enough for our limits API.
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json)
find_package(cereal REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)
if(SN_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Asio and Beast are compiled once (node/net/asio_impl.cpp) instead of in every
# file that includes them; this keeps the build lean on a 2-core machine.
add_library(sn_asio_config INTERFACE)
target_compile_definitions(sn_asio_config INTERFACE
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
target_link_libraries(sn_asio_config INTERFACE Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
