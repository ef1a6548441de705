// The device and inode a path or descriptor names, asked of the kernel without its timestamps.
//
// Why not stat(): since Linux 6.13 (multigrain timestamps, ext4/XFS/btrfs/tmpfs), a stat that reports
// a file's ctime or mtime marks the ctime as queried, and the next write then stamps the file with a
// fine-grained time instead of the clock tick's, which dirties the inode at every write. The WAL syncer
// checks the -wal file's identity before each fdatasync; with stat() that made every WAL sync write the
// inode block as well as the frames (3 device writes instead of 2, +60-100 us per sync on this host's
// ext4). statx() asked for the inode number alone leaves the timestamps unqueried.
#define _GNU_SOURCE
#include "CSQLitePlugins.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int CSQLitePlugins_file_identity(int descriptor, const char *path, CSQLitePluginsFileIdentity *identity) {
    struct statx info;
    int status = path != NULL ? statx(AT_FDCWD, path, 0, STATX_INO, &info)
                              : statx(descriptor, "", AT_EMPTY_PATH, STATX_INO, &info);
    if (status != 0) return errno;
    if (!(info.stx_mask & STATX_INO)) return ENOTSUP;
    identity->device = makedev(info.stx_dev_major, info.stx_dev_minor);
    identity->inode = info.stx_ino;
    return 0;
}

