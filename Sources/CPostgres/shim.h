#ifndef CPOSTGRES_SHIM_H
#define CPOSTGRES_SHIM_H
#include <libpq-fe.h>

// PG_DIAG_* are character macros ('C', 'M'); functions keep the Swift side free of magic numbers.
static inline char *CPostgres_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

// The primary message only: DETAIL lines can quote row values (addresses), which must stay out of logs.
static inline char *CPostgres_primary_message(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
}
#endif
