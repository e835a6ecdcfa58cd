// Why an allocation failed, in words (the table is reasons.def): the
// model's AllocOutcome carries only the reason and the request's numbers.
#pragma once

#include <string>

#include "mm/page_alloc/alloc.h"
#include "text/format/narration.h"

namespace mm {

// The reason's templates ({order}, {node}, {gfp} unfilled); empty for none.
const Words& reason_words(AllocFailure why);
// The reason's sentence for this outcome; "" when it did not fail.
std::string failure_text(const AllocOutcome& out, Lang lang = Lang::en);

}  // namespace mm
