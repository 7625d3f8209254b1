// Numbers read back from the JSON askalike keeps in a database's metadata.
// A database may come from anyone (issue 14), and nlohmann's
// get<std::size_t>() of a JSON float such as 3e55 converts it to an integer
// it does not fit: undefined behaviour (fuzz findings F9, F10). So a stored
// count must be a JSON integer from 0 up, as askalike writes it.
#ifndef ASKALIKE_LIB_STORED_JSON_HPP_
#define ASKALIKE_LIB_STORED_JSON_HPP_

#include <cstddef>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

namespace askalike {
namespace stored_json {

// The count `value` holds. Throws nlohmann::json::type_error, as get<>()
// does for a value of the wrong type, for anything else.
inline std::size_t count(const nlohmann::json& value) {
  if (value.is_number_unsigned() && value.get<std::uint64_t>() <= std::numeric_limits<std::size_t>::max())
    return static_cast<std::size_t>(value.get<std::uint64_t>());
  throw nlohmann::json::type_error::create(302, "a stored count is not a whole number from 0 up", nullptr);
}

}  // namespace stored_json
}  // namespace askalike

#endif  // ASKALIKE_LIB_STORED_JSON_HPP_
