#include "COpenSSL.h"

void COpenSSL_free(void *ptr) { OPENSSL_free(ptr); }
long COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return SSL_CTX_set_min_proto_version(ctx, version); }
long COpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
