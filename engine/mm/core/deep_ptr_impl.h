// DeepPtr's cloning member (machine.h). Include this in the one .cpp that
// owns T, then instantiate: template struct DeepPtr<T>;
#pragma once

#include "mm/core/machine.h"

namespace mm {

template <class T>
T* DeepPtr<T>::unshare() {
  if (p && p.use_count() > 1) p = std::make_shared<T>(*p);
  return p.get();
}

}  // namespace mm
