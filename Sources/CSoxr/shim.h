#ifndef DUB_CSOXR_SHIM_H
#define DUB_CSOXR_SHIM_H
#include <soxr.h>

/// soxr_quality_spec takes flags built from macros; expose the ones we use.
static inline soxr_quality_spec_t dub_soxr_quality(int high) {
    return soxr_quality_spec(high ? SOXR_VHQ : SOXR_HQ, 0);
}
static inline soxr_io_spec_t dub_soxr_float_io(void) {
    return soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
}
#endif
