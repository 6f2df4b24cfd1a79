#ifndef DUB_CLIBPQ_SHIM_H
#define DUB_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>

/* Waits until the connection's socket is readable or `timeout_ms` passes; 1 readable, 0 timeout, -1 error. */
static inline int dub_pq_wait_readable(PGconn *conn, int timeout_ms) {
    struct pollfd fds = { .fd = PQsocket(conn), .events = POLLIN, .revents = 0 };
    if (fds.fd < 0) return -1;
    int rc = poll(&fds, 1, timeout_ms);
    return rc < 0 ? -1 : (rc > 0 ? 1 : 0);
}

/* The SQLSTATE of a failed result ("" when there is none). */
static inline const char *dub_pq_sqlstate(const PGresult *res) {
    const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return s ? s : "";
}
#endif
