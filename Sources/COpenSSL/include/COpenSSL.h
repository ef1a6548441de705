#ifndef COPENSSL_H
#define COPENSSL_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/bio.h>

// Wrappers for OpenSSL macros Swift cannot import. Owned by SluiceCrypto.
/// 1 once a load-time constructor told OpenSSL not to run OPENSSL_cleanup at exit (see shim.c).
int COpenSSL_exit_cleanup_disabled(void);
void COpenSSL_free(void *ptr);
long COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
long COpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name);

/// SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
void COpenSSL_SSL_CTX_set_partial_write_modes(SSL_CTX *ctx);
/// Server side: SSL_MODE_RELEASE_BUFFERS (an idle connection keeps no record buffers) and
/// SSL_OP_CIPHER_SERVER_PREFERENCE.
void COpenSSL_SSL_CTX_set_server_modes(SSL_CTX *ctx);
/// Sets SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION (and SSL_OP_IGNORE_UNEXPECTED_EOF if asked).
void COpenSSL_SSL_CTX_set_default_options(SSL_CTX *ctx, int ignoreUnexpectedEOF);
/// A password callback that gives none: an encrypted key fails to load at once instead of OpenSSL's
/// default callback asking for a pass phrase on the terminal (and blocking until someone types one).
void COpenSSL_SSL_CTX_refuse_pass_phrase(SSL_CTX *ctx);
/// 1 if the latest error on the queue says the peer closed without close_notify.
int COpenSSL_ERR_peek_is_unexpected_eof(void);

/// The subjectAltName extension of `x`, or NULL; free with GENERAL_NAMES_free.
GENERAL_NAMES *COpenSSL_X509_get_san(const X509 *x);
int COpenSSL_GENERAL_NAMES_count(const GENERAL_NAMES *names);
/// The DNS name at `index` (bytes in *out, length returned), or -1 if that entry is not a DNS name.
int COpenSSL_GENERAL_NAMES_dns_at(const GENERAL_NAMES *names, int index, const unsigned char **out);
#endif
