# The web UI (ui/, React + Vite) is built with npm at build time and embedded into periscope_ui_assets.
find_program(NPM_PROGRAM npm REQUIRED)
if(NOT EXISTS ${PROJECT_SOURCE_DIR}/ui/node_modules)
  message(FATAL_ERROR "ui/node_modules is missing: run scripts/deps.sh (npm ci in ui/)")
endif()
file(GLOB_RECURSE PERISCOPE_UI_SOURCES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/ui/src/*.ts ${PROJECT_SOURCE_DIR}/ui/src/*.tsx ${PROJECT_SOURCE_DIR}/ui/src/*.css)
list(FILTER PERISCOPE_UI_SOURCES EXCLUDE REGEX "\\.test\\.tsx?$")
set(PERISCOPE_UI_DIST ${CMAKE_BINARY_DIR}/ui-dist)
set(PERISCOPE_UI_CC ${CMAKE_BINARY_DIR}/generated/ui_assets.cc)
add_custom_command(
  OUTPUT ${PERISCOPE_UI_CC}
  COMMAND ${CMAKE_COMMAND} -E env PERISCOPE_UI_OUT=${PERISCOPE_UI_DIST} ${NPM_PROGRAM} run --silent build
  COMMAND ${CMAKE_COMMAND} -DDIST=${PERISCOPE_UI_DIST} -DOUT=${PERISCOPE_UI_CC}
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_ui.cmake
  DEPENDS ${PERISCOPE_UI_SOURCES} ${PROJECT_SOURCE_DIR}/ui/index.html
          ${PROJECT_SOURCE_DIR}/ui/package-lock.json ${PROJECT_SOURCE_DIR}/ui/vite.config.ts
          ${PROJECT_SOURCE_DIR}/ui/tsconfig.json ${PROJECT_SOURCE_DIR}/cmake/embed_ui.cmake
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/ui
  COMMENT "Building the web UI (vite) and embedding it"
  VERBATIM)
add_library(periscope_ui_assets STATIC ${PERISCOPE_UI_CC})
target_include_directories(periscope_ui_assets PUBLIC ${PROJECT_SOURCE_DIR}/src)
