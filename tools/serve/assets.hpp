// askalike serve: the files served as they are (the page under web/ and
// openapi.json), embedded into the program at build time by
// embed_assets.cmake so that the binary needs nothing beside it.
#ifndef ASKALIKE_TOOLS_SERVE_ASSETS_HPP_
#define ASKALIKE_TOOLS_SERVE_ASSETS_HPP_

#include <string_view>

namespace askalike::serve {

struct Asset {
  std::string_view name;  // file name: "index.html", "app.js", "openapi.json"
  std::string_view data;
};

// The embedded file called `name`; nullptr when there is none.
const Asset* find_asset(std::string_view name);

}  // namespace askalike::serve

#endif  // ASKALIKE_TOOLS_SERVE_ASSETS_HPP_
