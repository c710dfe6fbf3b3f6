# One place for compiler settings shared by every target (warnings, sanitizers, ccache).

find_program(POP3SPEC_CCACHE ccache)
if(POP3SPEC_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${POP3SPEC_CCACHE}")
endif()

add_library(pop3spec_options INTERFACE)
add_library(pop3spec::options ALIAS pop3spec_options)
target_compile_features(pop3spec_options INTERFACE cxx_std_20)
target_compile_options(pop3spec_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(POP3SPEC_WERROR)
  target_compile_options(pop3spec_options INTERFACE -Werror)
endif()
# Asio's awaitable operators need this define on every TU that shares a PCH.
target_compile_definitions(pop3spec_options INTERFACE BOOST_ASIO_NO_DEPRECATED)

if(POP3SPEC_SANITIZE)
  # GCC 12 reports -Wmaybe-uninitialized false positives inside libstdc++'s <regex> once ASan
  # instruments it at -O2; the normal build keeps the warning (as an error) for our own code.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
                      -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()

# pop3spec_add_library(NAME ALIAS SOURCE_DIR [DEPS...]): a static library of every .cpp in
# SOURCE_DIR, with the folder's include/ as its public headers and the shared options.
function(pop3spec_add_library name alias source_dir)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source_dir}/*.cpp)
  if(NOT sources)
    set(sources ${PROJECT_SOURCE_DIR}/cmake/empty.cpp)
  endif()
  add_library(${name} STATIC ${sources})
  add_library(${alias} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC pop3spec::options ${ARGN})
endfunction()

if(POP3SPEC_FUZZ)
  # Coverage instrumentation everywhere; only the fuzz executables link the libFuzzer driver.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
