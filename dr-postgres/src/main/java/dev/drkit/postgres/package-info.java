/**
 * Backs up a live PostgreSQL into a DR Kit repository and restores it to any instant:
 * base backups of the data directory ({@link dev.drkit.postgres.PostgresBackups}), WAL
 * streamed over a physical replication slot ({@link dev.drkit.postgres.WalStreamer}) and
 * point-in-time restore ({@link dev.drkit.postgres.PointInTimeRestore}).
 */
@NullMarked
package dev.drkit.postgres;

import org.jspecify.annotations.NullMarked;
