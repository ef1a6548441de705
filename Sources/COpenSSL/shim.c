#include "COpenSSL.h"

// OpenSSL registers atexit(OPENSSL_cleanup) on its first use. At exit that frees its global locks while
// threads of ours (Swift's executor threads, event loops) may still be inside OpenSSL, which then crash in
// pthread_rwlock_unlock (seen once in ~45 `sluice serve` stops; a C program with 4 hashing threads that
// calls exit() crashed 171 of 200 times, 0 of 200 with OPENSSL_INIT_NO_ATEXIT). The kernel reclaims the
// memory at exit anyway, so OpenSSL is told before anything else uses it not to clean up then.
static int exitCleanupDisabled = 0;

__attribute__((constructor)) static void COpenSSL_disable_exit_cleanup(void) {
    exitCleanupDisabled = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) == 1;
}

int COpenSSL_exit_cleanup_disabled(void) { return exitCleanupDisabled; }

void COpenSSL_free(void *ptr) { OPENSSL_free(ptr); }
long COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return SSL_CTX_set_min_proto_version(ctx, version); }
long COpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }

void COpenSSL_SSL_CTX_set_partial_write_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

void COpenSSL_SSL_CTX_set_server_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
}

void COpenSSL_SSL_CTX_set_default_options(SSL_CTX *ctx, int ignoreUnexpectedEOF) {
    uint64_t options = SSL_OP_NO_COMPRESSION;
#ifdef SSL_OP_NO_RENEGOTIATION
    options |= SSL_OP_NO_RENEGOTIATION;
#endif
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    if (ignoreUnexpectedEOF) options |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
    SSL_CTX_set_options(ctx, options);
}

int COpenSSL_ERR_peek_is_unexpected_eof(void) {
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    unsigned long e = ERR_peek_last_error();
    return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
#else
    return 0;
#endif
}

GENERAL_NAMES *COpenSSL_X509_get_san(const X509 *x) {
    return X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
}

int COpenSSL_GENERAL_NAMES_count(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }

int COpenSSL_GENERAL_NAMES_dns_at(const GENERAL_NAMES *names, int index, const unsigned char **out) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, index);
    if (name == NULL || name->type != GEN_DNS) return -1;
    *out = ASN1_STRING_get0_data(name->d.dNSName);
    return ASN1_STRING_length(name->d.dNSName);
}

static int COpenSSL_no_pass_phrase(char *buffer, int size, int rwflag, void *userdata) {
    (void)buffer; (void)size; (void)rwflag; (void)userdata;
    return -1;
}

void COpenSSL_SSL_CTX_refuse_pass_phrase(SSL_CTX *ctx) { SSL_CTX_set_default_passwd_cb(ctx, COpenSSL_no_pass_phrase); }
