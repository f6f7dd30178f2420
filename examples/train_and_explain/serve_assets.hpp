// examples/train_and_explain/serve_assets.hpp — the explorer's page (examples/train_and_explain/serve_page/*), compiled into the program as bytes.
// The definition is generated at build time by examples/train_and_explain/serve_page/embed_assets.cpp; no request path reaches the disk.
#pragma once

#include <string_view>
#include <vector>

namespace app {

struct PageAsset {
    const char* path;           // "/index.html", "/app.js", ...
    const char* content_type;   // from the file's extension
    std::string_view body;
};

// Every file of examples/train_and_explain/serve_page/ except the generator itself, in the order given to it.
const std::vector<PageAsset>& page_assets();

}  // namespace app
