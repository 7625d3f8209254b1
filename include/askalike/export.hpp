// askalike: symbol visibility. Only names marked ASKALIKE_EXPORT leave the
// shared library; everything else is hidden (-fvisibility=hidden).
#ifndef ASKALIKE_EXPORT_HPP_
#define ASKALIKE_EXPORT_HPP_

#if defined(ASKALIKE_STATIC)
#define ASKALIKE_EXPORT
#elif defined(_WIN32)
#if defined(ASKALIKE_BUILDING)
#define ASKALIKE_EXPORT __declspec(dllexport)
#else
#define ASKALIKE_EXPORT __declspec(dllimport)
#endif
#else
#define ASKALIKE_EXPORT __attribute__((visibility("default")))
#endif

#endif  // ASKALIKE_EXPORT_HPP_
