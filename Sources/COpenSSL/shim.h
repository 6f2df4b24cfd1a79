#ifndef DUB_COPENSSL_SHIM_H
#define DUB_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* One-shot SHA-256 and HMAC-SHA256 (32-byte outputs); return 1 on success. */
static inline int dub_sha256(const void *data, size_t length, unsigned char out[32]) {
    unsigned int size = 0;
    return EVP_Digest(data, length, out, &size, EVP_sha256(), NULL) == 1 && size == 32;
}
static inline int dub_hmac_sha256(const void *key, int key_length, const void *data, size_t length, unsigned char out[32]) {
    unsigned int size = 0;
    return HMAC(EVP_sha256(), key, key_length, data, length, out, &size) != NULL && size == 32;
}
#endif
