# Debian's Xapian ships xapian-config.cmake with variables only, no imported
# target: wrap it in one so that everything links Xapian::xapian.
if(NOT TARGET Xapian::xapian)
  find_package(xapian CONFIG QUIET)
  if(NOT XAPIAN_FOUND)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(XAPIAN_PC REQUIRED IMPORTED_TARGET xapian-core)
    add_library(Xapian::xapian ALIAS PkgConfig::XAPIAN_PC)
  else()
    add_library(Xapian::xapian UNKNOWN IMPORTED)
    set_target_properties(Xapian::xapian PROPERTIES
      IMPORTED_LOCATION "${XAPIAN_LIBRARIES}"
      INTERFACE_INCLUDE_DIRECTORIES "${XAPIAN_INCLUDE_DIR}")
  endif()
endif()
