#include "embedding/safetensors.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "askalike/error.hpp"

namespace askalike {
namespace embedding {
namespace {

using nlohmann::json;

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  return 0;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1f;
  std::uint32_t mantissa = h & 0x3ff;
  std::uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000 | (mantissa << 13);  // inf, nan
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalise
    exponent = 113;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

SafeTensors::SafeTensors(const std::string& bytes, const std::string& name) : bytes_(bytes), name_(name) {
  auto corrupt = [&](const std::string& what) { return Error(ErrorCode::kCorrupt, name_ + ": " + what); };
  if (bytes.size() < 8) throw corrupt("too short for a safetensors file (" + std::to_string(bytes.size()) + " bytes)");
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | static_cast<unsigned char>(bytes[i]);
  if (header_length > kMaxSafetensorsHeader || header_length > bytes.size() - 8)
    throw corrupt("header length " + std::to_string(header_length) + " does not fit the file of " +
                  std::to_string(bytes.size()) + " bytes");
  const std::size_t data_start = 8 + header_length;
  const std::size_t data_size = bytes.size() - data_start;
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + data_start);
  } catch (const json::exception& e) {
    throw corrupt(std::string("the header is not JSON: ") + e.what());
  }
  if (!header.is_object()) throw corrupt("the header is not a JSON object");
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") continue;
    const std::string where = "tensor \"" + key + "\": ";
    if (!value.is_object()) throw corrupt(where + "not an object");
    const auto dtype = value.find("dtype");
    const auto shape = value.find("shape");
    const auto offsets = value.find("data_offsets");
    if (dtype == value.end() || !dtype->is_string()) throw corrupt(where + "no dtype");
    if (shape == value.end() || !shape->is_array()) throw corrupt(where + "no shape");
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned())
      throw corrupt(where + "data_offsets is not two offsets");
    TensorInfo info;
    info.dtype = dtype->get<std::string>();
    std::uint64_t count = 1;
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) throw corrupt(where + "a dimension of its shape is not a count");
      const std::uint64_t n = d.get<std::uint64_t>();
      if (n != 0 && count > std::numeric_limits<std::uint64_t>::max() / n) throw corrupt(where + "shape too large");
      count *= n;
      info.shape.push_back(static_cast<std::size_t>(n));
    }
    const std::uint64_t begin = (*offsets)[0].get<std::uint64_t>(), end = (*offsets)[1].get<std::uint64_t>();
    if (begin > end || end > data_size)
      throw corrupt(where + "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                    "] outside the data (" + std::to_string(data_size) + " bytes)");
    const std::size_t size = dtype_size(info.dtype);
    if (size != 0 && (count > std::numeric_limits<std::uint64_t>::max() / size || count * size != end - begin))
      throw corrupt(where + "its " + std::to_string(end - begin) + " bytes do not hold a " + info.dtype + " tensor of shape " +
                    shape_text(info.shape));
    info.begin = data_start + begin;
    info.end = data_start + end;
    tensors_.emplace(key, std::move(info));
  }
}

const TensorInfo* SafeTensors::find(const std::string& name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

std::vector<float> SafeTensors::floats(const std::string& name, const std::vector<std::size_t>& shape) const {
  const TensorInfo* t = find(name);
  if (!t) throw Error(ErrorCode::kInvalidArgument, name_ + ": no tensor \"" + name + "\"");
  if (t->shape != shape)
    throw Error(ErrorCode::kInvalidArgument, name_ + ": tensor \"" + name + "\" has the shape " + shape_text(t->shape) +
                                                 ", not " + shape_text(shape));
  const char* p = bytes_.data() + t->begin;
  std::vector<float> out;
  if (t->dtype == "F32") {
    out.resize((t->end - t->begin) / 4);
    if (!out.empty()) std::memcpy(out.data(), p, out.size() * 4);  // little-endian, as the format says
  } else if (t->dtype == "F16" || t->dtype == "BF16") {
    out.resize((t->end - t->begin) / 2);
    const bool brain = t->dtype == "BF16";
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::uint16_t h = static_cast<std::uint16_t>(static_cast<unsigned char>(p[2 * i]) |
                                                         (static_cast<unsigned char>(p[2 * i + 1]) << 8));
      if (brain) {
        const std::uint32_t bits = std::uint32_t(h) << 16;
        std::memcpy(&out[i], &bits, 4);
      } else {
        out[i] = half_to_float(h);
      }
    }
  } else {
    throw Error(ErrorCode::kInvalidArgument,
                name_ + ": tensor \"" + name + "\" is " + t->dtype + "; only F32, F16 and BF16 are supported");
  }
  return out;
}

}  // namespace embedding
}  // namespace askalike
