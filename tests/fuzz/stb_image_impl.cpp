// tests/fuzz/stb_image_impl.cpp — stb_image's implementation compiled into the image fuzzer, so libFuzzer sees its branches.
// Not used by the project itself (it links Debian's libstb). Built with -fno-sanitize=nonnull-attribute by tests/fuzz/run:
// stb calls memcpy(NULL, src, 0) for a PNG whose first IDAT chunk is empty (valid PNG), which touches no memory.
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
