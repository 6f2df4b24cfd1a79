#ifndef DUB_CSNDFILE_SHIM_H
#define DUB_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
