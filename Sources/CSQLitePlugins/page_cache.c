// SQLite's default page cache (pcache1), with one page number kept out of its key range.
//
// Why: when SQLite 3.40 rebalances B-tree pages whose new page numbers are out of order (which they
// are once pages come back from the free list, as they do here after deletes and compressions), it
// parks pages under a temporary number: the lock-byte page, PENDING_BYTE / page size + 1 (262,145 for
// 4 KiB pages), which never holds data. pcache1 remembers the largest number it has held, and each
// COMMIT truncates the cache to the database's size; with that number far beyond it, every truncation
// walks the whole hash table instead of its last few buckets: 8,192 buckets and every cached page per
// COMMIT with a 32 MiB cache, ~9 % of the SNS writer thread. (Later SQLite versions park pages just
// past the end of the database instead.)
//
// How: every call passes through to pcache1 unchanged, except that page numbers 0 and the lock-byte
// page are swapped on the way in. SQLite never uses page 0, and uses the lock-byte page only for that
// temporary parking, so the swap is invisible to it; pcache1 then never sees a number above the
// database's size. The one thing pcache1 would now do differently is a truncation to a limit at or
// below the lock-byte page, which must also drop a page parked there: the wrapper drops it itself.
#include "CSQLitePlugins.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sqlite3.h>

// SQLite's PENDING_BYTE (sqliteInt.h): the first byte of the range its file locks cover.
enum { PENDING_BYTE = 0x40000000 };

typedef struct {
    sqlite3_pcache *inner;
    unsigned lockPage;
} KeyedCache;

static sqlite3_pcache_methods2 defaultMethods;
static _Atomic long long lockPageRekeys;

// An involution: it maps each way.
static inline unsigned innerKey(const KeyedCache *cache, unsigned key) {
    if (key == cache->lockPage) return 0;
    if (key == 0) return cache->lockPage;
    return key;
}

static int cacheInit(void *argument) {
    (void)argument;
    return defaultMethods.xInit(defaultMethods.pArg);
}

static void cacheShutdown(void *argument) {
    (void)argument;
    defaultMethods.xShutdown(defaultMethods.pArg);
}

static sqlite3_pcache *cacheCreate(int pageSize, int extraSize, int purgeable) {
    KeyedCache *cache = sqlite3_malloc(sizeof *cache);
    if (cache == NULL) return NULL;
    cache->inner = defaultMethods.xCreate(pageSize, extraSize, purgeable);
    if (cache->inner == NULL) {
        sqlite3_free(cache);
        return NULL;
    }
    cache->lockPage = (unsigned)(PENDING_BYTE / pageSize) + 1;
    return (sqlite3_pcache *)cache;
}

static void cacheCachesize(sqlite3_pcache *handle, int pages) {
    defaultMethods.xCachesize(((KeyedCache *)handle)->inner, pages);
}

static int cachePagecount(sqlite3_pcache *handle) {
    return defaultMethods.xPagecount(((KeyedCache *)handle)->inner);
}

static sqlite3_pcache_page *cacheFetch(sqlite3_pcache *handle, unsigned key, int createFlag) {
    KeyedCache *cache = (KeyedCache *)handle;
    return defaultMethods.xFetch(cache->inner, innerKey(cache, key), createFlag);
}

static void cacheUnpin(sqlite3_pcache *handle, sqlite3_pcache_page *page, int discard) {
    defaultMethods.xUnpin(((KeyedCache *)handle)->inner, page, discard);
}

static void cacheRekey(sqlite3_pcache *handle, sqlite3_pcache_page *page, unsigned oldKey, unsigned newKey) {
    KeyedCache *cache = (KeyedCache *)handle;
    if (newKey == cache->lockPage) atomic_fetch_add_explicit(&lockPageRekeys, 1, memory_order_relaxed);
    defaultMethods.xRekey(cache->inner, page, innerKey(cache, oldKey), innerKey(cache, newKey));
}

static void cacheTruncate(sqlite3_pcache *handle, unsigned limit) {
    KeyedCache *cache = (KeyedCache *)handle;
    defaultMethods.xTruncate(cache->inner, limit);
    if (limit <= cache->lockPage) {
        // The lock-byte page is stored under 0, below any limit: drop it as a truncation would have.
        sqlite3_pcache_page *parked = defaultMethods.xFetch(cache->inner, 0, 0);
        if (parked != NULL) defaultMethods.xUnpin(cache->inner, parked, 1);
    }
}

static void cacheDestroy(sqlite3_pcache *handle) {
    KeyedCache *cache = (KeyedCache *)handle;
    defaultMethods.xDestroy(cache->inner);
    sqlite3_free(cache);
}

static void cacheShrink(sqlite3_pcache *handle) { defaultMethods.xShrink(((KeyedCache *)handle)->inner); }

static const sqlite3_pcache_methods2 keyedMethods = {
    1, NULL, cacheInit, cacheShutdown, cacheCreate, cacheCachesize, cachePagecount, cacheFetch,
    cacheUnpin, cacheRekey, cacheTruncate, cacheDestroy, cacheShrink,
};

static int installResult = SQLITE_ERROR;
static pthread_once_t installOnce = PTHREAD_ONCE_INIT;

static void install(void) {
    sqlite3_pcache_methods2 current;
    installResult = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &current);
    if (installResult != SQLITE_OK) return;
    defaultMethods = current;
    installResult = sqlite3_config(SQLITE_CONFIG_PCACHE2, &keyedMethods);
}

int CSQLitePlugins_install_page_cache(void) {
    pthread_once(&installOnce, install);
    return installResult;
}

long long CSQLitePlugins_page_cache_lock_page_rekeys(void) {
    return atomic_load_explicit(&lockPageRekeys, memory_order_relaxed);
}
