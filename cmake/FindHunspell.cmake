# Hunspell (Debian: libhunspell-dev), the spelling step's language
# dictionaries (lib/search/spelling.cpp: a word of the language is never
# "corrected"). Its pkg-config file names the library; wrap it in the
# imported target Hunspell::hunspell.
if(NOT TARGET Hunspell::hunspell)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(HUNSPELL_PC QUIET hunspell)
  endif()
  find_path(HUNSPELL_INCLUDE_DIR NAMES hunspell/hunspell.hxx HINTS ${HUNSPELL_PC_INCLUDEDIR})
  find_library(HUNSPELL_LIBRARY NAMES ${HUNSPELL_PC_LIBRARIES} hunspell-1.7 hunspell HINTS ${HUNSPELL_PC_LIBDIR})
  include(FindPackageHandleStandardArgs)
  find_package_handle_standard_args(Hunspell
    REQUIRED_VARS HUNSPELL_LIBRARY HUNSPELL_INCLUDE_DIR
    REASON_FAILURE_MESSAGE "install Hunspell (Debian/Ubuntu: apt-get install libhunspell-dev hunspell-en-us)")
  if(Hunspell_FOUND)
    add_library(Hunspell::hunspell UNKNOWN IMPORTED)
    set_target_properties(Hunspell::hunspell PROPERTIES
      IMPORTED_LOCATION "${HUNSPELL_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${HUNSPELL_INCLUDE_DIR}")
  endif()
  mark_as_advanced(HUNSPELL_INCLUDE_DIR HUNSPELL_LIBRARY)
endif()
