// sqlite (Debian's libsqlite3.a, unmodified) with two processes writing one database file on a
// real file system at once. sqlite's unix VFS serializes them with fcntl record locks on the
// database file (rollback journal) or on its -shm file, which both writers also map shared
// (WAL); a lock that did not exclude would show as a lost counter update, a missing row or a
// corrupt file, and a lock call that failed as "disk I/O error" (SQLITE_IOERR). Each writer,
// in its own process, inserts ROWS rows in separate immediate transactions and increments a
// shared counter; afterwards every row, every payload and the counter are checked, and
// PRAGMA integrity_check must say "ok". A busy writer retries with sched_yield (no time-out).
// disk: 32
// args: @DIR@
// link: -lsqlite3 -lpthread -ldl -lm
#include "file_util.h"
#include <sched.h>
#include <sqlite3.h>

#define ROWS 100
#define WRITERS 2

static long busy_retries; // in this process

static int retry_forever(void* unused, int attempts)
{
    (void)unused;
    (void)attempts;
    ++busy_retries;
    sched_yield();
    return 1;
}

static void payload(char* out, size_t cap, int writer, int seq)
{
    snprintf(out, cap, "writer %d row %d: %0*d", writer, seq, 150, writer * 100000 + seq * 7);
}

// Runs SQL that returns no rows; on failure prints sqlite's message and returns its code.
static int exec(sqlite3* db, const char* sql, const char* who)
{
    char* message = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        printf("# %s: \"%s\": %s (%d)\n", who, sql, message ? message : sqlite3_errstr(rc), rc);
    sqlite3_free(message);
    return rc;
}

static sqlite3* open_database(const char* path)
{
    sqlite3* db = NULL;
    // One thread per process: no mutexes needed (and no threads are created).
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        printf("# open %s: %s\n", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        return NULL;
    }
    sqlite3_busy_handler(db, retry_forever, NULL);
    return db;
}

// One writer process: ROWS transactions, each inserting a row and bumping the counter.
static int write_rows(const char* path, int writer, int start_fd)
{
    char go;
    if (read_full(start_fd, &go, 1) != 1)
        return 2;
    sqlite3* db = open_database(path);
    if (!db)
        return 3;
    sqlite3_stmt* insert = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO rows(writer, seq, payload) VALUES (?, ?, ?)", -1, &insert, NULL) != SQLITE_OK) {
        printf("# writer %d: prepare: %s\n", writer, sqlite3_errmsg(db));
        return 4;
    }
    for (int seq = 0; seq < ROWS; ++seq) {
        char text[256];
        payload(text, sizeof text, writer, seq);
        if (exec(db, "BEGIN IMMEDIATE", "writer") != SQLITE_OK)
            return 5;
        sqlite3_bind_int(insert, 1, writer);
        sqlite3_bind_int(insert, 2, seq);
        sqlite3_bind_text(insert, 3, text, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE) {
            printf("# writer %d row %d: insert: %s (%d)\n", writer, seq, sqlite3_errmsg(db), rc);
            return 6;
        }
        sched_yield(); // let the other writer run while this one holds the lock
        if (exec(db, "UPDATE counter SET n = n + 1", "writer") != SQLITE_OK || exec(db, "COMMIT", "writer") != SQLITE_OK)
            return 7;
    }
    sqlite3_finalize(insert);
    if (sqlite3_close(db) != SQLITE_OK)
        return 8;
    printf("# writer %d: %d rows, %ld busy retries\n", writer, ROWS, busy_retries);
    return 0;
}

// A single integer from a query, or -1.
static long query_number(sqlite3* db, const char* sql)
{
    sqlite3_stmt* statement = NULL;
    long value = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

static void run(const char* dir, const char* journal_mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/two_writers_%s.db", dir, journal_mode);
    unlink(path);
    sqlite3* db = open_database(path);
    char mode_sql[64];
    snprintf(mode_sql, sizeof mode_sql, "PRAGMA journal_mode=%s", journal_mode);
    int made = db && exec(db, mode_sql, "setup") == SQLITE_OK
        && exec(db, "CREATE TABLE rows(writer INTEGER, seq INTEGER, payload TEXT, PRIMARY KEY(writer, seq))", "setup") == SQLITE_OK
        && exec(db, "CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES (0)", "setup") == SQLITE_OK;
    sqlite3_close(db);
    if (!ok(made, "%s: create the database %s", journal_mode, path))
        return;

    int start[2];
    if (pipe(start) != 0)
        bail("pipe (errno=%d)", errno);
    pid_t children[WRITERS];
    for (int w = 0; w < WRITERS; ++w) {
        children[w] = fork();
        if (children[w] == 0) {
            close(start[1]);
            fflush(stdout);
            int code = write_rows(path, w + 1, start[0]);
            fflush(stdout);
            _exit(code);
        }
    }
    close(start[0]);
    write_all(start[1], "gg", WRITERS); // both start together
    close(start[1]);
    int all_exited_0 = 1;
    for (int w = 0; w < WRITERS; ++w) {
        int status;
        waitpid(children[w], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            all_exited_0 = 0;
            diag("writer %d: status %#x", w + 1, status);
        }
    }
    ok(all_exited_0, "%s: %d writers, each %d transactions, all succeeded (no SQLITE_IOERR)", journal_mode, WRITERS, ROWS);

    db = open_database(path);
    if (!db) {
        ok(0, "%s: reopen for checking", journal_mode);
        return;
    }
    ok(query_number(db, "SELECT count(*) FROM rows") == WRITERS * ROWS, "%s: %d rows (found %ld)", journal_mode,
        WRITERS * ROWS, query_number(db, "SELECT count(*) FROM rows"));
    ok(query_number(db, "SELECT n FROM counter") == WRITERS * ROWS, "%s: the counter says %d: no update was lost (%ld)",
        journal_mode, WRITERS * ROWS, query_number(db, "SELECT n FROM counter"));
    int rows_right = 1;
    sqlite3_stmt* select = NULL;
    sqlite3_prepare_v2(db, "SELECT payload FROM rows WHERE writer = ? AND seq = ?", -1, &select, NULL);
    for (int w = 1; w <= WRITERS; ++w) {
        for (int seq = 0; seq < ROWS; ++seq) {
            char want[256];
            payload(want, sizeof want, w, seq);
            sqlite3_bind_int(select, 1, w);
            sqlite3_bind_int(select, 2, seq);
            int found = sqlite3_step(select) == SQLITE_ROW;
            char const* got = found ? (char const*)sqlite3_column_text(select, 0) : NULL;
            if (!got || strcmp(got, want) != 0) {
                if (rows_right)
                    diag("%s: writer %d row %d: %s", journal_mode, w, seq, got ? got : "missing");
                rows_right = 0;
            }
            sqlite3_reset(select);
        }
    }
    sqlite3_finalize(select);
    ok(rows_right, "%s: every row of both writers is there with its payload", journal_mode);
    sqlite3_stmt* check = NULL;
    char result[64] = "";
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, NULL) == SQLITE_OK && sqlite3_step(check) == SQLITE_ROW)
        snprintf(result, sizeof result, "%s", (char const*)sqlite3_column_text(check, 0));
    sqlite3_finalize(check);
    ok(strcmp(result, "ok") == 0, "%s: PRAGMA integrity_check says \"%s\"", journal_mode, result);
    ok(sqlite3_close(db) == SQLITE_OK, "%s: close", journal_mode);
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    if (sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) != SQLITE_OK)
        bail("sqlite3_config(SQLITE_CONFIG_SINGLETHREAD)");
    diag("sqlite %s", sqlite3_libversion());
    run(dir, "delete");
    run(dir, "wal");
    return tap_done();
}
