# Script mode: writes OUT, a C++ file holding IN's bytes as an array.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace signalnode::embedded {\nnamespace { const unsigned char data_[] = {${bytes} 0}; }\nstd::string_view ${NAME}() { return {reinterpret_cast<const char*>(data_), ${size}}; }\n}\n")
