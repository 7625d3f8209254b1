# libcsv (Debian: libcsv-dev), the C library the CSV/TSV readers parse with.
# It ships neither a CMake package nor a pkg-config file: find the header and
# the library and wrap them in the imported target LibCSV::csv.
if(NOT TARGET LibCSV::csv)
  find_path(LIBCSV_INCLUDE_DIR NAMES csv.h)
  find_library(LIBCSV_LIBRARY NAMES csv)
  include(FindPackageHandleStandardArgs)
  find_package_handle_standard_args(LibCSV NAME_MISMATCHED
    REQUIRED_VARS LIBCSV_LIBRARY LIBCSV_INCLUDE_DIR
    REASON_FAILURE_MESSAGE "install libcsv (Debian/Ubuntu: apt-get install libcsv-dev)")
  if(LibCSV_FOUND)
    add_library(LibCSV::csv UNKNOWN IMPORTED)
    set_target_properties(LibCSV::csv PROPERTIES
      IMPORTED_LOCATION "${LIBCSV_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${LIBCSV_INCLUDE_DIR}")
  endif()
  mark_as_advanced(LIBCSV_INCLUDE_DIR LIBCSV_LIBRARY)
endif()
