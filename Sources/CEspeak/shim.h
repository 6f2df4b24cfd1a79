#ifndef DUB_CESPEAK_SHIM_H
#define DUB_CESPEAK_SHIM_H
#include <espeak-ng/speak_lib.h>

/* Macros Swift cannot import. */
static inline int dub_espeak_chars_utf8(void) { return espeakCHARS_UTF8; }
static inline int dub_espeak_dont_exit(void) { return espeakINITIALIZE_DONT_EXIT; }
#endif
