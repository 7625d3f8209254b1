// The safetensors format: an 8-byte little-endian header length, a JSON
// header (name -> {dtype, shape, data_offsets}) and the tensors' bytes.
// Every offset and size is checked against the file, so no file, however
// broken, makes a read go outside it.
#ifndef ASKALIKE_EMBEDDING_SAFETENSORS_HPP_
#define ASKALIKE_EMBEDDING_SAFETENSORS_HPP_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace askalike {
namespace embedding {

struct TensorInfo {
  std::string dtype;                // "F32", "F16", "BF16", ...
  std::vector<std::size_t> shape;
  std::size_t begin = 0, end = 0;   // byte offsets in the whole file
};

class SafeTensors {
 public:
  // Parses the header of `bytes` (a whole file; kept by reference: it must
  // outlive this object). `name` names the file in errors. Throws
  // Error(kCorrupt) for anything that is not a well-formed file.
  SafeTensors(const std::string& bytes, const std::string& name);

  // The tensor called `name`, or nullptr.
  const TensorInfo* find(const std::string& name) const;

  // The tensor `name` as float32 values, row-major. Throws
  // Error(kInvalidArgument) when its shape is not `shape` or its dtype is
  // not F32, F16 or BF16.
  std::vector<float> floats(const std::string& name, const std::vector<std::size_t>& shape) const;

  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }

 private:
  const std::string& bytes_;
  std::string name_;
  std::map<std::string, TensorInfo> tensors_;
};

// Longest JSON header read (the format's own limit).
constexpr std::size_t kMaxSafetensorsHeader = 100u << 20;

}  // namespace embedding
}  // namespace askalike

#endif  // ASKALIKE_EMBEDDING_SAFETENSORS_HPP_
