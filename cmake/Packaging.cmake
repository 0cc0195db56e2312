# The Debian package (issue 23; BRIEF 3.12):
#   cmake --build build --target package  ->  build/signalnode_<version>_<arch>.deb
# with the binary, the hardened unit, the service's settings in /etc/signalnode
# (a conffile), the man page, the docs, the monitoring files and the
# maintainer scripts of packaging/debian. tests/package checks the result.
set(sn_pkg ${PROJECT_SOURCE_DIR}/packaging)
set(sn_pkg_out ${CMAKE_BINARY_DIR}/packaging)

# The man page and the Debian changelog carry the project's version; both are
# shipped gzip -9n (no name, no time stamp: the same bytes on every build).
find_program(SN_GZIP gzip REQUIRED)
set(sn_pkg_generated)
foreach(pair "signalnode.1;signalnode.1.gz" "debian/changelog;changelog.gz")
  list(GET pair 0 in)
  list(GET pair 1 out)
  get_filename_component(plain ${out} NAME_WLE)
  configure_file(${sn_pkg}/${in} ${sn_pkg_out}/${plain} @ONLY)
  add_custom_command(OUTPUT ${sn_pkg_out}/${out}
    COMMAND ${SN_GZIP} -9n -c ${sn_pkg_out}/${plain} > ${sn_pkg_out}/${out}
    DEPENDS ${sn_pkg_out}/${plain} VERBATIM)
  list(APPEND sn_pkg_generated ${sn_pkg_out}/${out})
endforeach()
add_custom_target(sn_package_files ALL DEPENDS ${sn_pkg_generated})

set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# Full RELRO for the shipped binary (lintian: hardening-no-bindnow).
target_link_options(signalnode PRIVATE -Wl,-z,relro,-z,now)
install(TARGETS signalnode RUNTIME DESTINATION bin)
install(FILES ${sn_pkg}/signalnode.service DESTINATION lib/systemd/system)
install(FILES ${sn_pkg}/signalnode.env DESTINATION /etc/signalnode)
install(FILES ${sn_pkg_out}/signalnode.1.gz DESTINATION share/man/man1)
install(FILES ${sn_pkg_out}/changelog.gz ${sn_pkg}/debian/copyright ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION share/doc/signalnode)
file(GLOB sn_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${sn_docs} DESTINATION share/doc/signalnode)
install(FILES ${sn_pkg}/monitoring/signalnode.rules.yml ${sn_pkg}/monitoring/signalnode-dashboard.json
  DESTINATION share/signalnode/monitoring)

execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE sn_deb_arch OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT sn_deb_arch)
  set(sn_deb_arch amd64)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME signalnode)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "signalnode maintainers <signalnode@example.nl>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "shares signals of labour exploitation between enforcement partners")
set(CPACK_PACKAGE_DESCRIPTION "Each enforcement partner (municipality, labour inspectorate, SNF, RIEC)
runs one signalnode. It keeps its officers' signals encrypted at rest, shares
only pseudonymised, covenant-filtered records with partner nodes over mutually
authenticated TLS, and logs every exchange in a tamper-evident audit log.
This package runs the node as the hardened systemd service signalnode.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME signalnode_${PROJECT_VERSION}_${sn_deb_arch}.deb)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${sn_deb_arch})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# useradd (postinst); setpriv, runuser and awk come with essential packages.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${sn_pkg}/debian/preinst ${sn_pkg}/debian/postinst ${sn_pkg}/debian/prerm ${sn_pkg}/debian/postrm
  ${sn_pkg}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
