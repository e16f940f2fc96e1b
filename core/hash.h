/* hash.h — SHA-256 (FIPS 180-4), used for cache keys. */
#ifndef CL_HASH_H
#define CL_HASH_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes fed so far */
	unsigned char buf[64];
	size_t   nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Finish and write the 32-byte digest to out. */
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* Hex digest of data into hex (65 bytes incl. NUL). */
void sha256_hex(const void *data, size_t n, char hex[65]);

#endif
