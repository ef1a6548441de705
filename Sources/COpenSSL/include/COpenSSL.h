#ifndef COPENSSL_H
#define COPENSSL_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

// Wrappers for OpenSSL macros Swift cannot import. Owned by SluiceCrypto.
void COpenSSL_free(void *ptr);
long COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
long COpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name);
#endif
