# Warnings are errors for our own targets (not for generated protobuf code).
# -Wno-restrict: GCC 12 false positives in std::string inlining (GCC bug 105329).
set(PERISCOPE_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers -Wno-restrict)
function(periscope_warnings target)
  target_compile_options(${target} PRIVATE ${PERISCOPE_WARNINGS})
endfunction()
