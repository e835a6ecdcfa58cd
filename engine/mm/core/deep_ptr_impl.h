// Definitions of DeepPtr's special members (machine.h). Include this in the
// one .cpp that owns T, then instantiate: template struct DeepPtr<T>;
#pragma once

#include "mm/core/machine.h"

namespace mm {

template <class T>
DeepPtr<T>::DeepPtr() = default;
template <class T>
DeepPtr<T>::~DeepPtr() = default;
template <class T>
DeepPtr<T>::DeepPtr(const DeepPtr& o) : p(o.p ? std::make_unique<T>(*o.p) : nullptr) {}
template <class T>
DeepPtr<T>& DeepPtr<T>::operator=(const DeepPtr& o) {
  if (this != &o) p = o.p ? std::make_unique<T>(*o.p) : nullptr;
  return *this;
}
template <class T>
DeepPtr<T>::DeepPtr(DeepPtr&&) noexcept = default;
template <class T>
DeepPtr<T>& DeepPtr<T>::operator=(DeepPtr&&) noexcept = default;

}  // namespace mm
