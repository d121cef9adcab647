# Warnings are errors for our own targets (not for generated protobuf code).
set(PERISCOPE_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)
function(periscope_warnings target)
  target_compile_options(${target} PRIVATE ${PERISCOPE_WARNINGS})
endfunction()
