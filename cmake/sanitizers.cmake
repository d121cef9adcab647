# -DPERISCOPE_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
option(PERISCOPE_SANITIZE "Build with ASan and UBSan" OFF)
if(PERISCOPE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# -DPERISCOPE_TSAN=ON builds everything with ThreadSanitizer (`make tsan` builds and runs the RPC
# and SDK tests, the concurrent code). GCC 12 warns under TSan about asio's atomic_thread_fence
# (-Wtsan), which -Werror would make an error.
option(PERISCOPE_TSAN "Build with ThreadSanitizer" OFF)
if(PERISCOPE_TSAN)
  if(PERISCOPE_SANITIZE)
    message(FATAL_ERROR "PERISCOPE_TSAN and PERISCOPE_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()
