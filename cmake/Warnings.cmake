# Project code builds with warnings as errors; link sn_warnings into every target.
add_library(sn_warnings INTERFACE)
target_compile_options(sn_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wformat=2 -Wimplicit-fallthrough)
